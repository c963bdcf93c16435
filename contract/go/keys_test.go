package contract

// The key operations through Go's standard library (net/http, encoding/json). The official Go SDK
// (github.com/OpenRouterTeam/go-sdk) is not served by the module proxy this project's machines
// reach (README, "Compatibility"), so these tests decode every answer into structs of their own,
// as strictly as an SDK's models: every field must be present (decodeStrict) and of its type.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

const docsHash = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943"

// The default dataset's ordinary key whose plaintext is documented.
var localDevKey = "sk-or-v1-" + strings.Repeat("feedface", 8)

// Key is an API key as every key endpoint returns it; each field is required.
type Key struct {
	Hash               string   `json:"hash"`
	Name               string   `json:"name"`
	Label              string   `json:"label"`
	Disabled           bool     `json:"disabled"`
	Limit              *float64 `json:"limit"`
	LimitRemaining     *float64 `json:"limit_remaining"`
	LimitReset         *string  `json:"limit_reset"`
	IncludeByokInLimit bool     `json:"include_byok_in_limit"`
	Usage              float64  `json:"usage"`
	UsageDaily         float64  `json:"usage_daily"`
	UsageWeekly        float64  `json:"usage_weekly"`
	UsageMonthly       float64  `json:"usage_monthly"`
	ByokUsage          float64  `json:"byok_usage"`
	ByokUsageDaily     float64  `json:"byok_usage_daily"`
	ByokUsageWeekly    float64  `json:"byok_usage_weekly"`
	ByokUsageMonthly   float64  `json:"byok_usage_monthly"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          *string  `json:"updated_at"`
	LastUsedAt         *string  `json:"last_used_at"`
	ExpiresAt          *string  `json:"expires_at"`
	CreatorUserID      *string  `json:"creator_user_id"`
	WorkspaceID        string   `json:"workspace_id"`
	ExternalUser       *string  `json:"external_user"`
}

// CurrentKey is GET /key's data: the fields every official SDK requires.
type CurrentKey struct {
	Label              string          `json:"label"`
	Limit              *float64        `json:"limit"`
	LimitRemaining     *float64        `json:"limit_remaining"`
	LimitReset         *string         `json:"limit_reset"`
	IncludeByokInLimit bool            `json:"include_byok_in_limit"`
	Usage              float64         `json:"usage"`
	IsFreeTier         bool            `json:"is_free_tier"`
	IsManagementKey    bool            `json:"is_management_key"`
	CreatorUserID      *string         `json:"creator_user_id"`
	WorkspaceID        *string         `json:"workspace_id"`
	OrganizationID     *string         `json:"organization_id"`
	AllowedDataRegions []string        `json:"allowed_data_regions"`
	Budgets            []any           `json:"budgets"`
	EffectiveBudget    json.RawMessage `json:"effective_budget"`
	RateLimit          struct {
		Requests int    `json:"requests"`
		Interval string `json:"interval"`
		Note     string `json:"note"`
	} `json:"rate_limit"`
}

type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// decodeStrict decodes body into target and fails on a missing field of target's struct (at
// every level, slices of structs included): encoding/json alone would leave it at its zero value.
func decodeStrict(body []byte, target any) error {
	if err := requireFields(body, reflect.TypeOf(target).Elem(), "$"); err != nil {
		return err
	}
	return json.Unmarshal(body, target)
}

func requireFields(raw json.RawMessage, typ reflect.Type, path string) error {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Struct:
		var object map[string]json.RawMessage
		if err := json.Unmarshal(raw, &object); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for i := 0; i < typ.NumField(); i++ {
			name := strings.Split(typ.Field(i).Tag.Get("json"), ",")[0]
			value, present := object[name]
			if !present {
				return fmt.Errorf("%s.%s: required field missing", path, name)
			}
			if string(value) != "null" {
				if err := requireFields(value, typ.Field(i).Type, path+"."+name); err != nil {
					return err
				}
			}
		}
	case reflect.Slice:
		if typ.Elem().Kind() == reflect.Struct {
			var items []json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			for i, item := range items {
				if err := requireFields(item, typ.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// call sends one API request and decodes its answer strictly into out (on the expected status).
func call(t *testing.T, method, path, token string, body any, headers map[string]string, wantStatus int, out any) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(encoded)
	}
	request, err := http.NewRequest(method, mock.URL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	request.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		request.Header.Set("Content-Type", "application/json")
	}
	for name, value := range headers {
		request.Header.Set(name, value)
	}
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	answer, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatal(err)
	}
	if response.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, response.StatusCode, wantStatus, answer)
	}
	if err := decodeStrict(answer, out); err != nil {
		t.Fatalf("%s %s: the answer does not parse: %v", method, path, err)
	}
}

func managementKey() string { return mock.ManagementKeys[0] }

// expectedRemaining is what is left of a key's limit, from its own usage fields.
func expectedRemaining(k Key) *float64 {
	if k.Limit == nil {
		return nil
	}
	used := map[string][2]float64{"daily": {k.UsageDaily, k.ByokUsageDaily}, "weekly": {k.UsageWeekly, k.ByokUsageWeekly}, "monthly": {k.UsageMonthly, k.ByokUsageMonthly}}
	window := [2]float64{k.Usage, k.ByokUsage}
	if k.LimitReset != nil {
		window = used[*k.LimitReset]
	}
	spent := window[0]
	if k.IncludeByokInLimit {
		spent += window[1]
	}
	left := math.Max(0, *k.Limit-spent)
	return &left
}

func checkRemaining(t *testing.T, k Key) {
	t.Helper()
	want := expectedRemaining(k)
	if (want == nil) != (k.LimitRemaining == nil) || (want != nil && math.Abs(*want-*k.LimitRemaining) > 1e-6) {
		t.Errorf("key %s: limit_remaining %v, want %v", k.Hash, k.LimitRemaining, want)
	}
}

func TestListGetCreateUpdateDelete(t *testing.T) {
	resetMock(t)
	var list struct {
		Data []Key `json:"data"`
	}
	call(t, "GET", "/keys", managementKey(), nil, nil, 200, &list)
	if len(list.Data) == 0 {
		t.Fatal("no keys listed")
	}
	for _, k := range list.Data {
		checkRemaining(t, k)
	}

	var got struct {
		Data Key `json:"data"`
	}
	call(t, "GET", "/keys/"+docsHash, managementKey(), nil, nil, 200, &got)
	if got.Data.Hash != docsHash {
		t.Fatalf("GET answered %s", got.Data.Hash)
	}

	var created struct {
		Data Key    `json:"data"`
		Key  string `json:"key"`
	}
	call(t, "POST", "/keys", managementKey(), map[string]any{"name": "go create", "limit": nil}, nil, 201, &created)
	if !strings.HasPrefix(created.Key, "sk-or-v1-") || created.Data.Limit != nil || created.Data.LimitRemaining != nil {
		t.Fatalf("created %+v", created)
	}

	// The seed's example body: every field at once.
	var updated struct {
		Data Key `json:"data"`
	}
	seed := map[string]any{"name": "Updated API Key Name", "disabled": false, "limit": 75, "limit_reset": "daily", "include_byok_in_limit": true}
	call(t, "PATCH", "/keys/"+docsHash, managementKey(), seed, nil, 200, &updated)
	if updated.Data.Name != "Updated API Key Name" || *updated.Data.Limit != 75 || *updated.Data.LimitReset != "daily" || !updated.Data.IncludeByokInLimit {
		t.Fatalf("updated %+v", updated.Data)
	}
	if *updated.Data.LimitRemaining != 32.12 { // 75 - (25.5 + 17.38)
		t.Fatalf("limit_remaining %v, want 32.12", *updated.Data.LimitRemaining)
	}
	call(t, "PATCH", "/keys/"+docsHash, managementKey(), map[string]any{"limit": nil}, nil, 200, &updated)
	if updated.Data.Limit != nil || updated.Data.LimitRemaining != nil {
		t.Fatalf("limit: null gave %v / %v", updated.Data.Limit, updated.Data.LimitRemaining)
	}

	var deleted struct {
		Deleted bool `json:"deleted"`
	}
	call(t, "DELETE", "/keys/"+created.Data.Hash, managementKey(), nil, nil, 200, &deleted)
	if !deleted.Deleted {
		t.Fatal("deleted is not true")
	}
}

func TestCurrentKey(t *testing.T) {
	resetMock(t)
	var current struct {
		Data CurrentKey `json:"data"`
	}
	call(t, "GET", "/key", managementKey(), nil, nil, 200, &current)
	if !current.Data.IsManagementKey {
		t.Fatal("the management key is not told as one")
	}
	call(t, "GET", "/key", localDevKey, nil, nil, 200, &current)
	if current.Data.IsManagementKey {
		t.Fatal("an ordinary key is told as a management key")
	}
}

func TestOneErrorOfEachClass(t *testing.T) {
	resetMock(t)
	// A 500 from a fault rule, once.
	rule := `{"match":{"method":"PATCH","path":"/keys/*"},"status":500,"body":"Injected outage","times":1}`
	response, err := http.Post(mock.Origin+"/__mock/faults", "application/json", strings.NewReader(rule))
	if err != nil || response.StatusCode != 201 {
		t.Fatalf("fault rule: %v %v", err, response)
	}
	response.Body.Close()
	cases := []struct {
		status  int
		token   string
		hash    string
		body    map[string]any
		headers map[string]string
		message string
	}{
		{500, managementKey(), docsHash, map[string]any{"name": "x"}, nil, "Injected outage"},
		{400, managementKey(), docsHash, map[string]any{"name": ""}, nil, `Invalid request body: field "name" must not be empty`},
		{401, "sk-or-v1-unknown", docsHash, map[string]any{"name": "x"}, nil, ""},
		{403, localDevKey, docsHash, map[string]any{"name": "x"}, nil, "Only management keys can perform this operation"},
		{404, managementKey(), strings.Repeat("0", 64), map[string]any{"name": "x"}, nil, ""},
		{429, managementKey(), docsHash, map[string]any{"name": "x"}, map[string]string{"X-Mock-Response": "status=429;message=Slow down"}, "Slow down"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			var answer apiError
			call(t, "PATCH", "/keys/"+c.hash, c.token, c.body, c.headers, c.status, &answer)
			if answer.Error.Code != c.status || answer.Error.Message == "" {
				t.Fatalf("envelope %+v", answer)
			}
			if c.message != "" && answer.Error.Message != c.message {
				t.Fatalf("message %q, want %q", answer.Error.Message, c.message)
			}
		})
	}
}
