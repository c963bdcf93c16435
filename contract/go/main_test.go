package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// mock is where the mock listens, from its ready file: {url, origin, managementKeys, pid, ...}.
var mock struct {
	URL            string   `json:"url"`
	Origin         string   `json:"origin"`
	ManagementKeys []string `json:"managementKeys"`
	PID            int      `json:"pid"`
}

// TestMain starts the built mock (npm ci builds it) on a free port for the whole run, waits for its
// ready file, which appears only once the mock answers, and stops it with SIGTERM at the end.
func TestMain(m *testing.M) { os.Exit(runWithMock(m)) }

func runWithMock(m *testing.M) int {
	dir, err := os.MkdirTemp("", "mock")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	readyFile := filepath.Join(dir, "ready.json")
	cli := filepath.Join("..", "..", "dist", "cli.js")
	cmd := exec.Command("node", cli, "--port", "0", "--ready-file", readyFile, "--log-level", "warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "cannot start the mock:", err)
		return 1
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // the mock closes and removes its ready file
		<-exited
	}()
	deadline := time.After(30 * time.Second)
	for {
		if data, err := os.ReadFile(readyFile); err == nil {
			if err := json.Unmarshal(data, &mock); err != nil {
				fmt.Fprintln(os.Stderr, "unreadable ready file:", err)
				return 1
			}
			break
		}
		select {
		case err := <-exited:
			exited <- err
			fmt.Fprintln(os.Stderr, "the mock exited before it was ready:", err)
			return 1
		case <-deadline:
			fmt.Fprintln(os.Stderr, "the mock wrote no ready file within 30 s")
			return 1
		case <-time.After(20 * time.Millisecond):
		}
	}
	return m.Run()
}

// resetMock puts the mock back to its start-up dataset: call it first in every test.
func resetMock(t *testing.T) {
	t.Helper()
	request, err := http.NewRequest("POST", mock.Origin+"/__mock/reset", nil) // no body, no Content-Type
	if err != nil {
		t.Fatal(err)
	}
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	response.Body.Close()
	if response.StatusCode != http.StatusOK {
		t.Fatalf("POST /__mock/reset answered %d", response.StatusCode)
	}
}
