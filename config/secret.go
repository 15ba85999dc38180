package config

import (
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
)

// envReference is a secret written as ${NAME}, where NAME is an environment variable.
var envReference = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// expandSecret returns the value of the environment variable that s names when s is written
// as ${NAME}, and s itself otherwise. Only a whole value is a reference, so a secret with a
// "$" inside it is taken as written. A variable that is unset or empty is an error rather
// than an empty secret. The errors never quote s, which may be the secret itself.
func expandSecret(s Secret) (Secret, error) {
	value := string(s)
	match := envReference.FindStringSubmatch(value)
	if match == nil {
		if strings.HasPrefix(value, "${") {
			return "", fmt.Errorf("the value starts with ${ but is not a reference of the form" +
				" ${NAME} with letters, digits and underscores; put a literal secret in client_secret_file")
		}
		return s, nil
	}

	name := match[1]
	expanded, ok := os.LookupEnv(name)
	if !ok {
		return "", fmt.Errorf("environment variable %s is not set: set it in the exporter's environment", name)
	}
	if expanded == "" {
		return "", fmt.Errorf("environment variable %s is empty: set it to the client secret", name)
	}
	return Secret(expanded), nil
}

// Format writes the mask for every verb, so that no format string can show the secret.
func (s Secret) Format(f fmt.State, verb rune) {
	fmt.Fprint(f, secretMask)
}

// MarshalJSON returns the mask as a JSON string, for JSON logs and config dumps.
func (s Secret) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte(`""`), nil
	}
	return []byte(`"` + secretMask + `"`), nil
}

// LogValue returns the mask, so that log/slog handlers never see the secret.
func (s Secret) LogValue() slog.Value {
	return slog.StringValue(secretMask)
}
