package cli

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/serve/scram"
)

// demoUsers gives the demo's `odpe serve` a statistician and a partner
// with generated passwords: their verifiers go into the configuration,
// the passwords into DIR/serve-passwords.txt (mode 600), and the psql line
// is returned for the demo's last words.
func demoUsers(cfgPath string, cfg *configs.Config) (string, error) {
	dir := filepath.Dir(cfgPath)
	var lines string
	users := []struct{ name, role string }{{"statisticien", configs.RoleStatistician}, {"partenaire", configs.RolePartner}}
	passwords := map[string]string{}
	for _, u := range users {
		pw := rand.Text()[:20]
		v, err := scram.New(pw)
		if err != nil {
			return "", err
		}
		if err := SetUser(cfgPath, u.name, u.role, v.String()); err != nil {
			return "", err
		}
		passwords[u.name] = pw
		lines += fmt.Sprintf("%s (%s): %s\n", u.name, u.role, pw)
	}
	pwFile := filepath.Join(dir, "serve-passwords.txt")
	if err := os.WriteFile(pwFile, []byte(lines), 0o600); err != nil {
		return "", err
	}
	if err := os.Chmod(pwFile, 0o600); err != nil {
		return "", err
	}
	listen := "127.0.0.1:5433"
	if len(cfg.Serve.Listen) > 0 {
		listen = cfg.Serve.Listen[0]
	}
	web := ""
	if cfg.Serve.HTTPListen != "" {
		web = fmt.Sprintf("  open http://%s/ in a browser (the annual report; the same users and passwords)\n", cfg.Serve.HTTPListen)
	}
	return fmt.Sprintf(`
Serve the warehouse over the PostgreSQL protocol (users and passwords in %s, mode 600):
  go run ./cmd/odpe --config %s serve
  psql "postgresql://statisticien:%s@%s/odpe"
%s`, pwFile, cfgPath, passwords["statisticien"], listen, web), nil
}
