package alert

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"gopkg.in/yaml.v3"
)

// Where the rule file comes from (see docs/alerts.md). It travels in the
// function's code package, never in an environment variable: FC allows
// 4 KB for all of a function's variables together, and a rule file
// outgrows that.
const (
	// EnvRulesFile names a rule file to read instead of the packaged one.
	EnvRulesFile = "SMSFLOW_ALERT_RULES_FILE"
	// PackagedRulesFile is the rule file's name in the code package, next
	// to the binary (make build puts it there).
	PackagedRulesFile = "alert-rules.yaml"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// rawFile is the top level of a rule file before its parts are decoded.
type rawFile struct {
	// IncludeDefaults makes the file a patch over the embedded defaults:
	// rules and channels with a default's name change only the fields given.
	IncludeDefaults bool        `yaml:"include_defaults"`
	Settings        yaml.Node   `yaml:"settings"`
	Rules           []yaml.Node `yaml:"rules"`
	Silences        []yaml.Node `yaml:"silences"`
	Channels        []yaml.Node `yaml:"channels"`
}

// Defaults returns the embedded default rule file, validated.
func Defaults() (*Config, error) {
	return parse(defaultsYAML, nil)
}

// DefaultsYAML returns the embedded default rule file as text.
func DefaultsYAML() []byte { return append([]byte(nil), defaultsYAML...) }

// Parse parses and validates a rule file. All problems are reported
// together, each naming the rule (or channel, silence) and the field.
func Parse(data []byte) (*Config, error) {
	if _, err := Defaults(); err != nil {
		return nil, fmt.Errorf("embedded defaults: %w", err)
	}
	// A patch applies to the defaults as written: what a kind implies
	// (comparison, unit, quantile) is filled in afterwards, from the kind
	// the patched rule then has. Filled in before, a default's `<` or
	// `ms` would outlive a patch that changes its kind.
	base, _ := decode(defaultsYAML, nil)
	return parse(data, base)
}

// LoadFile parses the rule file at path.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read alert rules: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("alert rules %s: %w", path, err)
	}
	return cfg, nil
}

// Load picks the rule file: the one SMSFLOW_ALERT_RULES_FILE names (it must
// exist), else alert-rules.yaml in exeDir (the directory of the running
// binary, where the code package puts it) when there is one, else the
// embedded defaults. source says which, for the start-up log.
func Load(getenv func(string) string, exeDir string) (cfg *Config, source string, err error) {
	if path := getenv(EnvRulesFile); path != "" {
		cfg, err := LoadFile(path)
		return cfg, path, err
	}
	packaged := filepath.Join(exeDir, PackagedRulesFile)
	switch _, err := os.Stat(packaged); {
	case err == nil:
		cfg, err := LoadFile(packaged)
		return cfg, packaged, err
	case !errors.Is(err, fs.ErrNotExist):
		return nil, "", fmt.Errorf("alert rules: %w", err)
	}
	cfg, err = Defaults()
	return cfg, "embedded defaults", err
}

// parse decodes data, base (when the file includes defaults) patched,
// and completes and validates the result.
func parse(data []byte, base *Config) (*Config, error) {
	cfg, errs := decode(data, base)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// decode reads a rule file as written; base (when the file includes
// defaults) is patched.
func decode(data []byte, base *Config) (*Config, []error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, []error{fmt.Errorf("alert rules: %w", err)}
	}
	var raw rawFile
	var errs []error
	if top := topLevel(&doc); top != nil {
		// Key by key, as inside the sections: a misspelt section
		// (`silence:`, `setting:`) is refused, not dropped unread.
		errs = decodeFields(top, &raw, "rule file")
	}
	cfg := &Config{}
	if raw.IncludeDefaults && base != nil {
		cfg = base.clone()
	}
	if raw.Settings.Kind != 0 {
		errs = append(errs, decodeFields(&raw.Settings, &cfg.Settings, "settings")...)
	}
	errs = append(errs, decodeNamed(raw.Rules, &cfg.Rules, "rule")...)
	errs = append(errs, decodeNamed(raw.Channels, &cfg.Channels, "channel")...)
	for i := range raw.Silences {
		var s Silence
		label := fmt.Sprintf("silence #%d", i+1)
		errs = append(errs, decodeFields(&raw.Silences[i], &s, label)...)
		errs = append(errs, checkZoned(&raw.Silences[i], label, "start", "end")...)
		cfg.Silences = append(cfg.Silences, s)
	}
	return cfg, errs
}

// topLevel is the document's root node, or nil for a file with none
// (empty, comments only, or a bare null).
func topLevel(doc *yaml.Node) *yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	if root := doc.Content[0]; root.Kind != yaml.ScalarNode || root.Tag != "!!null" {
		return root
	}
	return nil
}

// checkZoned refuses a time written without its offset. YAML reads
// "2026-11-27 10:00:00" (or a bare date) as UTC: an operator writing
// local time would mute the wrong hours, and be paged during the work.
func checkZoned(n *yaml.Node, what string, keys ...string) []error {
	var errs []error
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if !slices.Contains(keys, key.Value) || val.Kind != yaml.ScalarNode {
			continue
		}
		if _, err := time.Parse(time.RFC3339, val.Value); err != nil {
			errs = append(errs, fmt.Errorf("%s: field %s: must be an RFC 3339 time with its offset, e.g. 2026-11-27T10:00:00+08:00 (got %q, line %d)",
				what, key.Value, val.Value, val.Line))
		}
	}
	return errs
}

// named is a rule or a channel: both are patched by name.
type named interface{ itemName() string }

func (r Rule) itemName() string    { return r.Name }
func (c Channel) itemName() string { return c.Name }

// decodeNamed decodes one file's rules (or channels) onto list, which
// holds the defaults when the file includes them: an item with a default's
// name patches that default. Within the file a name is declared once: a
// second rule "r" is a mistake (a copied block, a merge), and patching the
// first with it would run a rule nobody wrote.
func decodeNamed[T named](nodes []yaml.Node, list *[]T, what string) []error {
	var errs []error
	declared := map[string]int{} // name -> line, in this file
	for i := range nodes {
		name := mappingValue(&nodes[i], "name")
		label := fmt.Sprintf("%s #%d", what, i+1)
		if name != "" {
			label = fmt.Sprintf("%s %q", what, name)
			if line, dup := declared[name]; dup {
				errs = append(errs, fmt.Errorf("%s: field name: is declared twice (lines %d and %d)", label, line, nodes[i].Line))
				continue
			}
			declared[name] = nodes[i].Line
		}
		idx := slices.IndexFunc(*list, func(x T) bool { return name != "" && x.itemName() == name })
		var item T
		if idx >= 0 {
			item = (*list)[idx]
		}
		errs = append(errs, decodeFields(&nodes[i], &item, label)...)
		if idx >= 0 {
			(*list)[idx] = item
		} else {
			*list = append(*list, item)
		}
	}
	return errs
}

// clone deep-copies the parts a patch may change.
func (c *Config) clone() *Config {
	out := &Config{Settings: c.Settings}
	out.Rules = append([]Rule(nil), c.Rules...)
	out.Channels = append([]Channel(nil), c.Channels...)
	out.Silences = append([]Silence(nil), c.Silences...)
	return out
}
