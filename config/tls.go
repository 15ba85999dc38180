package config

import (
	"crypto/tls"
	"fmt"

	commoncfg "github.com/prometheus/common/config"
)

// TLSConfig is the TLS connection to one PBX. The zero value verifies the PBX's certificate
// against the host's CA certificates.
type TLSConfig struct {
	// CAFile is a PEM file of the CA certificates that may sign the PBX's certificate, for
	// a PBX with a self-signed or private certificate.
	CAFile string `yaml:"ca_file,omitempty"`
	// CertFile and KeyFile are a client certificate and its key, in PEM.
	CertFile string `yaml:"cert_file,omitempty"`
	KeyFile  string `yaml:"key_file,omitempty"`
	// ServerName is the name the PBX's certificate must hold, when it differs from the
	// host in url.
	ServerName string `yaml:"server_name,omitempty"`
	// InsecureSkipVerify turns off verification of the PBX's certificate.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify,omitempty"`
}

// load checks the settings and reads the files. It returns the tls.Config to dial the PBX
// with, which reads the client certificate again at each handshake so that a renewed one is
// picked up.
func (c TLSConfig) load(key string) (*tls.Config, []error) {
	var errs []error
	if c.CertFile != "" && c.KeyFile == "" {
		errs = append(errs, fmt.Errorf("%s: cert_file %q is set but key_file is missing; set both or neither", key, c.CertFile))
	}
	if c.KeyFile != "" && c.CertFile == "" {
		errs = append(errs, fmt.Errorf("%s: key_file %q is set but cert_file is missing; set both or neither", key, c.KeyFile))
	}
	if len(errs) > 0 {
		return nil, errs
	}

	tlsConfig, err := commoncfg.NewTLSConfig(&commoncfg.TLSConfig{
		CAFile:             c.CAFile,
		CertFile:           c.CertFile,
		KeyFile:            c.KeyFile,
		ServerName:         c.ServerName,
		InsecureSkipVerify: c.InsecureSkipVerify,
	})
	if err != nil {
		return nil, []error{fmt.Errorf("%s: %w", key, err)}
	}
	return tlsConfig, nil
}
