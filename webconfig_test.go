package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// webUser and webPassword are the one user of the test's web config.
const (
	webUser     = "prometheus"
	webPassword = "scrape-password"
)

// writeServerCertificate writes a self-signed certificate for 127.0.0.1 and its key to
// dir and returns the pool that trusts it with the two paths.
func writeServerCertificate(t *testing.T, dir string) (pool *x509.CertPool, certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "threecx_exporter test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}

	certFile = filepath.Join(dir, "server.crt")
	keyFile = filepath.Join(dir, "server.key")
	writeFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))

	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return pool, certFile, keyFile
}

// writeWebConfig writes an exporter-toolkit web config with TLS and one bcrypt user.
func writeWebConfig(t *testing.T) (path string, pool *x509.CertPool) {
	t.Helper()
	dir := t.TempDir()
	pool, certFile, keyFile := writeServerCertificate(t, dir)
	// The lowest cost keeps the test fast; the exporter checks any cost.
	hash, err := bcrypt.GenerateFromPassword([]byte(webPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}

	path = filepath.Join(dir, "web.yml")
	writeFile(t, path, fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  %s: %s\n",
		certFile, keyFile, webUser, hash))
	return path, pool
}

func TestBinaryWebConfig(t *testing.T) {
	_, pbxURL, _ := startFakePBX(t)
	webConfig, pool := writeWebConfig(t)
	exporter := startExporter(t, "--config.file="+writeConfig(t, fmt.Sprintf(e2eConfig, pbxURL)),
		"--web.config.file="+webConfig)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	httpsURL := strings.Replace(exporter.url(""), "http://", "https://", 1)

	tests := []struct {
		name       string
		path       string
		user       string
		password   string
		wantStatus int
	}{
		{"metrics without credentials", "/metrics", "", "", http.StatusUnauthorized},
		{"probe without credentials", "/probe?target=office", "", "", http.StatusUnauthorized},
		{"reload without credentials", "/-/reload", "", "", http.StatusUnauthorized},
		{"landing page without credentials", "/", "", "", http.StatusUnauthorized},
		{"metrics with a wrong password", "/metrics", webUser, "wrong", http.StatusUnauthorized},
		{"metrics with an unknown user", "/metrics", "admin", webPassword, http.StatusUnauthorized},
		{"metrics with credentials", "/metrics", webUser, webPassword, http.StatusOK},
		{"probe with credentials", "/probe?target=office", webUser, webPassword, http.StatusOK},
		{"healthy with credentials", "/-/healthy", webUser, webPassword, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodGet
			if tt.path == "/-/reload" {
				method = http.MethodPost
			}
			req, err := http.NewRequest(method, httpsURL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.password)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
		})
	}

	t.Run("plain HTTP", func(t *testing.T) {
		resp, err := http.Get(exporter.url("/metrics"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d over plain HTTP, want 400 from the TLS listener", resp.StatusCode)
		}
	})

	t.Run("untrusted certificate", func(t *testing.T) {
		_, err := http.Get(httpsURL + "/-/healthy")
		if err == nil {
			t.Error("a client without the test CA connected")
		}
	})
}
