// Renders Ollama Modelfile templates with Go's own text/template, for tokcheck's cross-check of its
// Python renderer (tokcheck/checks/engines/gotemplate.py, ollama.py). Standard library only.
//
// It re-implements, minimally, the data model and the rules of ollama/ollama v0.33.0-rc2
// template/template.go: Parse (missingkey=zero, the json/currentDate/yesterdayDate/toTypeScriptType
// functions, a {{ .Response }} appended to a template naming neither messages nor response),
// Execute (collate; the .Messages path; the legacy .System/.Prompt/.Response path whose last exchange
// renders the template cut after its first .Response field) and server/routes.go's SYSTEM rule.
//
// Input (stdin): a JSON array of cases {template, system, date, messages, tools}; output (stdout): a
// JSON array of {output} or {error}, one per case.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

type ToolCall struct {
	ID       string `json:"id"`
	Function struct {
		Index     int            `json:"index"`
		Name      string         `json:"name"`
		Arguments map[string]any `json:"arguments"`
	} `json:"function"`
}

type Message struct {
	Role       string     `json:"role"`
	Content    string     `json:"content"`
	Thinking   string     `json:"thinking"`
	ToolCalls  []ToolCall `json:"tool_calls"`
	ToolName   string     `json:"tool_name"`
	ToolCallID string     `json:"tool_call_id"`
}

// PropertyType marshals one type as a plain string (api.PropertyType).
type PropertyType []string

func (p PropertyType) MarshalJSON() ([]byte, error) {
	if len(p) == 1 {
		return json.Marshal(p[0])
	}
	return json.Marshal([]string(p))
}

func (p *PropertyType) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*p = []string{s}
		return nil
	}
	var a []string
	if err := json.Unmarshal(data, &a); err != nil {
		return err
	}
	*p = a
	return nil
}

type ToolProperty struct {
	Type        PropertyType `json:"type,omitempty"`
	Description string       `json:"description,omitempty"`
	Enum        []any        `json:"enum,omitempty"`
}

type Tool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Parameters  struct {
			Type       string                  `json:"type"`
			Required   []string                `json:"required"`
			Properties map[string]ToolProperty `json:"properties"`
		} `json:"parameters"`
	} `json:"function"`
}

// The template-facing types (template.go templateTools, templateTool, templateArgs, ...).
type templateTools []templateTool

func (t templateTools) String() string { b, _ := json.Marshal(t); return string(b) }

type templateArgs map[string]any

func (t templateArgs) String() string {
	if t == nil {
		return "{}"
	}
	b, _ := json.Marshal(t)
	return string(b)
}

type templateProperties map[string]ToolProperty

func (t templateProperties) String() string {
	if t == nil {
		return "{}"
	}
	b, _ := json.Marshal(t)
	return string(b)
}

type templateTool struct {
	Type     string               `json:"type"`
	Items    any                  `json:"items,omitempty"`
	Function templateToolFunction `json:"function"`
}

func (t templateTool) String() string { b, _ := json.Marshal(t); return string(b) }

type templateToolFunction struct {
	Name        string                         `json:"name"`
	Description string                         `json:"description"`
	Parameters  templateToolFunctionParameters `json:"parameters"`
}

type templateToolFunctionParameters struct {
	Type       string             `json:"type"`
	Defs       any                `json:"$defs,omitempty"`
	Items      any                `json:"items,omitempty"`
	Required   []string           `json:"required,omitempty"`
	Properties templateProperties `json:"properties"`
}

type templateToolCall struct {
	ID       string
	Function templateToolCallFunction
}

type templateToolCallFunction struct {
	Index     int
	Name      string
	Arguments templateArgs
}

type templateMessage struct {
	Role       string
	Content    string
	Thinking   string
	Images     []string
	ToolCalls  []templateToolCall
	ToolName   string
	ToolCallID string
}

type Case struct {
	Template string    `json:"template"`
	System   string    `json:"system"`
	Date     string    `json:"date"`
	Messages []Message `json:"messages"`
	Tools    *[]Tool   `json:"tools"`
}

type Result struct {
	Output *string `json:"output,omitempty"`
	Error  string  `json:"error,omitempty"`
}

func funcs(date string) template.FuncMap {
	return template.FuncMap{
		"json":        func(v any) string { b, _ := json.Marshal(v); return string(b) },
		"currentDate": func(args ...string) string { return date },
		"yesterdayDate": func(args ...string) string {
			d, _ := time.Parse("2006-01-02", date)
			return d.AddDate(0, 0, -1).Format("2006-01-02")
		},
		"toTypeScriptType": func(v any) string { return "any" },
	}
}

// identifiers: the field and variable names a node uses (template.go Identifiers; chains not walked).
func identifiers(n parse.Node) []string {
	var out []string
	switch n := n.(type) {
	case *parse.ListNode:
		for _, c := range n.Nodes {
			out = append(out, identifiers(c)...)
		}
	case *parse.ActionNode:
		out = identifiers(n.Pipe)
	case *parse.IfNode:
		out = identifiers(&n.BranchNode)
	case *parse.RangeNode:
		out = identifiers(&n.BranchNode)
	case *parse.WithNode:
		out = identifiers(&n.BranchNode)
	case *parse.BranchNode:
		out = identifiers(n.Pipe)
		out = append(out, identifiers(n.List)...)
		if n.ElseList != nil {
			out = append(out, identifiers(n.ElseList)...)
		}
	case *parse.PipeNode:
		for _, c := range n.Cmds {
			for _, a := range c.Args {
				out = append(out, identifiers(a)...)
			}
		}
	case *parse.FieldNode:
		out = n.Ident
	case *parse.VariableNode:
		out = n.Ident
	}
	return out
}

func hasVar(root *parse.ListNode, name string) bool {
	for _, v := range identifiers(root) {
		if strings.ToLower(v) == name {
			return true
		}
	}
	return false
}

// cutAfterResponse: every node after the first .Response field removed (template.go deleteNode).
func cutAfterResponse(root parse.Node) (out parse.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Ollama cannot cut this template after .Response inside an if/else")
		}
	}()
	cut := false
	match := func(n parse.Node) bool {
		if f, ok := n.(*parse.FieldNode); ok {
			for _, id := range f.Ident {
				if id == "Response" {
					cut = true
					return false
				}
			}
		}
		return cut
	}
	var walk func(parse.Node) parse.Node
	walk = func(n parse.Node) parse.Node {
		if match(n) {
			return nil
		}
		switch t := n.(type) {
		case *parse.ListNode:
			var kept []parse.Node
			for _, c := range t.Nodes {
				if k := walk(c); k != nil {
					kept = append(kept, k)
				}
			}
			t.Nodes = kept
		case *parse.IfNode:
			t.BranchNode = *walk(&t.BranchNode).(*parse.BranchNode)
		case *parse.WithNode:
			t.BranchNode = *walk(&t.BranchNode).(*parse.BranchNode)
		case *parse.RangeNode:
			t.BranchNode = *walk(&t.BranchNode).(*parse.BranchNode)
		case *parse.BranchNode:
			t.List = walk(t.List).(*parse.ListNode)
			if t.ElseList != nil {
				t.ElseList = walk(t.ElseList).(*parse.ListNode)
			}
		case *parse.ActionNode:
			p := walk(t.Pipe)
			if p == nil {
				return nil
			}
			t.Pipe = p.(*parse.PipeNode)
		case *parse.PipeNode:
			var cmds []*parse.CommandNode
			for _, c := range t.Cmds {
				var args []parse.Node
				for _, a := range c.Args {
					if k := walk(a); k != nil {
						args = append(args, k)
					}
				}
				if len(args) == 0 {
					return nil
				}
				c.Args = args
				cmds = append(cmds, c)
			}
			if len(cmds) == 0 {
				return nil
			}
			t.Cmds = cmds
		}
		return n
	}
	return walk(root), nil
}

func collate(msgs []Message) (string, []*Message) {
	var system []string
	var out []*Message
	for i := range msgs {
		if msgs[i].Role == "system" {
			system = append(system, msgs[i].Content)
		}
		if len(out) > 0 && out[len(out)-1].Role == msgs[i].Role && msgs[i].Role != "tool" {
			out[len(out)-1].Content += "\n\n" + msgs[i].Content
		} else {
			out = append(out, &msgs[i])
		}
	}
	return strings.Join(system, "\n\n"), out
}

func forTemplate(msgs []*Message) []*templateMessage {
	out := make([]*templateMessage, len(msgs))
	for i, m := range msgs {
		var calls []templateToolCall
		for _, c := range m.ToolCalls {
			calls = append(calls, templateToolCall{ID: c.ID, Function: templateToolCallFunction{
				Index: c.Function.Index, Name: c.Function.Name, Arguments: templateArgs(c.Function.Arguments)}})
		}
		out[i] = &templateMessage{Role: m.Role, Content: m.Content, Thinking: m.Thinking, ToolCalls: calls,
			ToolName: m.ToolName, ToolCallID: m.ToolCallID}
	}
	return out
}

func toolsForTemplate(tools *[]Tool) templateTools {
	if tools == nil {
		return nil
	}
	out := make(templateTools, len(*tools))
	for i, t := range *tools {
		out[i] = templateTool{Type: t.Type, Function: templateToolFunction{
			Name: t.Function.Name, Description: t.Function.Description,
			Parameters: templateToolFunctionParameters{Type: t.Function.Parameters.Type,
				Required: t.Function.Parameters.Required, Properties: templateProperties(t.Function.Parameters.Properties)}}}
	}
	return out
}

func render(c Case) (string, error) {
	tmpl, err := template.New("").Option("missingkey=zero").Funcs(funcs(c.Date)).Parse(c.Template)
	if err != nil {
		return "", err
	}
	usesMessages := hasVar(tmpl.Tree.Root, "messages")
	if !usesMessages && !hasVar(tmpl.Tree.Root, "response") {
		tmpl.Tree.Root.Nodes = append(tmpl.Tree.Root.Nodes, &parse.ActionNode{NodeType: parse.NodeAction,
			Pipe: &parse.PipeNode{NodeType: parse.NodePipe, Cmds: []*parse.CommandNode{{NodeType: parse.NodeCommand,
				Args: []parse.Node{&parse.FieldNode{NodeType: parse.NodeField, Ident: []string{"Response"}}}}}}})
	}
	msgs := c.Messages
	if c.System != "" && (len(msgs) == 0 || msgs[0].Role != "system") {
		msgs = append([]Message{{Role: "system", Content: c.System}}, msgs...)
	}
	system, collated := collate(msgs)
	var b bytes.Buffer
	if usesMessages {
		err := tmpl.Execute(&b, map[string]any{"System": system, "Messages": forTemplate(collated),
			"Tools": toolsForTemplate(c.Tools), "Response": "", "Think": false, "ThinkLevel": "", "IsThinkSet": false})
		return b.String(), err
	}
	system = ""
	var prompt, response string
	values := func() map[string]any {
		return map[string]any{"System": system, "Prompt": prompt, "Response": response,
			"Think": false, "ThinkLevel": "", "IsThinkSet": false}
	}
	execute := func() error {
		if err := tmpl.Execute(&b, values()); err != nil {
			return err
		}
		system, prompt, response = "", "", ""
		return nil
	}
	for _, m := range collated {
		switch m.Role {
		case "system":
			if prompt != "" || response != "" {
				if err := execute(); err != nil {
					return "", err
				}
			}
			system = m.Content
		case "user":
			if response != "" {
				if err := execute(); err != nil {
					return "", err
				}
			}
			prompt = m.Content
		case "assistant":
			response = m.Content
		}
	}
	root, err := cutAfterResponse(tmpl.Tree.Root.Copy())
	if err != nil {
		return "", err
	}
	tree := parse.Tree{Root: root.(*parse.ListNode)}
	cut, err := template.New("").AddParseTree("", &tree)
	if err != nil {
		return "", err
	}
	// As in Ollama, the cut copy is a new template without the functions: only the builtins run.
	if err := cut.Execute(&b, values()); err != nil {
		return "", err
	}
	return b.String(), nil
}

func main() {
	var cases []Case
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "bad input:", err)
		os.Exit(2)
	}
	results := make([]Result, len(cases))
	for i, c := range cases {
		out, err := render(c)
		if err != nil {
			results[i] = Result{Error: err.Error()}
		} else {
			results[i] = Result{Output: &out}
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		os.Exit(1)
	}
}
