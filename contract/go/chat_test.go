package contract

// One chat completion through the standard library (issue 20), plain and streamed, each charged to
// the ordinary key that made it. The structs require what the official Go SDK's models
// (models/components ChatResult, ChatChoice, ChatUsage, ChatStreamChunk, ChatStreamChoice, at
// v0.7.67) declare without `omitzero`, plus the fields asserted on here: the reply's `content`
// (the message's, each delta's) and the usage's `cost` and `is_byok`.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// ChatUsage is a completion's usage: its tokens and what it cost.
type ChatUsage struct {
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	TotalTokens      int     `json:"total_tokens"`
	Cost             float64 `json:"cost"`
	IsByok           bool    `json:"is_byok"`
}

// ChatResult is POST /chat/completions' plain JSON answer.
type ChatResult struct {
	ID                string  `json:"id"`
	Object            string  `json:"object"`
	Created           int64   `json:"created"`
	Model             string  `json:"model"`
	SystemFingerprint *string `json:"system_fingerprint"`
	Choices           []struct {
		Index        int     `json:"index"`
		FinishReason *string `json:"finish_reason"`
		Message      struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
	Usage ChatUsage `json:"usage"`
}

// ChatChunk is one Server-Sent Event's data with `stream: true`; `usage` comes on the last only,
// so it is decoded on its own.
type ChatChunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index        int     `json:"index"`
		FinishReason *string `json:"finish_reason"`
		Delta        struct {
			Content string `json:"content"`
		} `json:"delta"`
	} `json:"choices"`
}

var chatBody = map[string]any{"messages": []map[string]string{{"role": "user", "content": "Say hello."}}}

// newKey creates an ordinary key with the management key and answers its hash and plaintext.
func newKey(t *testing.T, name string) (string, string) {
	t.Helper()
	var created struct {
		Data Key    `json:"data"`
		Key  string `json:"key"`
	}
	call(t, "POST", "/keys", managementKey(), map[string]any{"name": name}, nil, 201, &created)
	return created.Data.Hash, created.Key
}

func getKey(t *testing.T, hash string) Key {
	t.Helper()
	var got struct {
		Data Key `json:"data"`
	}
	call(t, "GET", "/keys/"+hash, managementKey(), nil, nil, 200, &got)
	return got.Data
}

func TestChatCompletionChargesTheKeyExactlyItsCost(t *testing.T) {
	resetMock(t)
	hash, plaintext := newKey(t, "go chat")
	before := getKey(t, hash)
	if before.Usage != 0 || before.UsageDaily != 0 {
		t.Fatalf("a new key has usage %v / %v", before.Usage, before.UsageDaily)
	}

	var result ChatResult
	call(t, "POST", "/chat/completions", plaintext, chatBody, nil, 200, &result)
	if !strings.HasPrefix(result.ID, "gen-") || result.Object != "chat.completion" || result.Model != "openai/gpt-4o-mini" {
		t.Fatalf("answer %+v", result)
	}
	if len(result.Choices) != 1 || result.Choices[0].Message.Role != "assistant" || result.Choices[0].Message.Content == "" {
		t.Fatalf("choices %+v", result.Choices)
	}
	usage := result.Usage
	if usage.Cost <= 0 || usage.IsByok || usage.TotalTokens != usage.PromptTokens+usage.CompletionTokens {
		t.Fatalf("usage %+v", usage)
	}

	after := getKey(t, hash)
	if after.Usage-before.Usage != usage.Cost || after.UsageDaily-before.UsageDaily != usage.Cost {
		t.Fatalf("the key's usage moved %v (daily %v), the answer's cost is %v", after.Usage-before.Usage, after.UsageDaily-before.UsageDaily, usage.Cost)
	}
}

func TestChatCompletionStreamedChargesTheKeyAtTheEnd(t *testing.T) {
	resetMock(t)
	hash, plaintext := newKey(t, "go chat stream")
	body, err := json.Marshal(map[string]any{"messages": chatBody["messages"], "stream": true})
	if err != nil {
		t.Fatal(err)
	}
	request, err := http.NewRequest("POST", mock.URL+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	request.Header.Set("Authorization", "Bearer "+plaintext)
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set("Accept", "text/event-stream")
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	if response.StatusCode != 200 || !strings.HasPrefix(response.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, Content-Type %q", response.StatusCode, response.Header.Get("Content-Type"))
	}

	// Each event's `data:` line is one chunk; comment lines (`: OPENROUTER PROCESSING`) are skipped,
	// as an SSE reader skips them; `data: [DONE]` ends the stream.
	var text strings.Builder
	var ids []string
	var usage *ChatUsage
	done := false
	scanner := bufio.NewScanner(response.Body)
	for scanner.Scan() {
		line := scanner.Text()
		if !strings.HasPrefix(line, "data:") {
			continue
		}
		data := strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " ")
		if data == "[DONE]" {
			done = true
			break
		}
		var chunk ChatChunk
		if err := decodeStrict([]byte(data), &chunk); err != nil {
			t.Fatalf("chunk %s does not parse: %v", data, err)
		}
		ids = append(ids, chunk.ID)
		for _, choice := range chunk.Choices {
			text.WriteString(choice.Delta.Content)
		}
		var last struct {
			Usage json.RawMessage `json:"usage"`
		}
		if err := json.Unmarshal([]byte(data), &last); err != nil {
			t.Fatal(err)
		}
		if last.Usage != nil && string(last.Usage) != "null" {
			usage = &ChatUsage{}
			if err := decodeStrict(last.Usage, usage); err != nil {
				t.Fatalf("usage %s does not parse: %v", last.Usage, err)
			}
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	if !done || len(ids) == 0 || !strings.HasPrefix(ids[0], "gen-") || text.Len() == 0 {
		t.Fatalf("done %v, %d chunks, text %q", done, len(ids), text.String())
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("chunk ids differ: %v", ids)
		}
	}
	if usage == nil || usage.Cost <= 0 {
		t.Fatalf("usage %+v", usage)
	}
	if after := getKey(t, hash); after.Usage != usage.Cost {
		t.Fatalf("the key's usage is %v, the stream's cost %v", after.Usage, usage.Cost)
	}
}
