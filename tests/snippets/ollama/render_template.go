// Renders an Ollama TEMPLATE as Ollama renders a template that uses .Messages, for
// test_Modelfile.py: Go's text/template with missingkey=zero and Ollama's one function (json),
// on the data Ollama gives it: the system messages joined as .System, the messages with
// consecutive ones of the same role merged (.Messages), no tools, an empty .Response
// (ollama/ollama template/template.go: Parse, Execute, collate; docs/template.md).
// Reads {"template": "...", "messages": [{"role": "...", "content": "..."}]} on stdin and
// writes the prompt on stdout.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type Message struct {
	Role      string
	Content   string
	ToolCalls []any
}

func main() {
	var in struct {
		Template string
		Messages []Message
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	funcs := template.FuncMap{"json": func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}}
	t, err := template.New("").Option("missingkey=zero").Funcs(funcs).Parse(in.Template)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var system []string
	var collated []*Message
	for i := range in.Messages {
		m := &in.Messages[i]
		if m.Role == "system" {
			system = append(system, m.Content)
		}
		if n := len(collated); n > 0 && collated[n-1].Role == m.Role && m.Role != "tool" {
			collated[n-1].Content += "\n\n" + m.Content
		} else {
			collated = append(collated, m)
		}
	}
	data := map[string]any{
		"System":     strings.Join(system, "\n\n"),
		"Messages":   collated,
		"Tools":      nil,
		"Response":   "",
		"Think":      false,
		"IsThinkSet": false,
	}
	if err := t.Execute(os.Stdout, data); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
