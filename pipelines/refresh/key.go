package refresh

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/pseudonym"
	"github.com/odpe/odpe/pipelines/warehouse"
)

// keyFingerprintKey is the meta.state key of the fingerprint of the key
// the warehouse's pseudonyms were made with.
const keyFingerprintKey = "key_fingerprint"

// ErrOtherKey is the error of a refresh whose key is not the one the
// warehouse's pseudonyms were made with.
var ErrOtherKey = errors.New("pseudonymisation key changed")

// checkKey loads the configuration's key (refused if others may read
// it), and compares its fingerprint with the one the current version
// keeps. It returns the key (nil when the configuration has none) and
// its fingerprint. Run calls it before anything else.
func checkKey(ctx context.Context, cfg *configs.Config, store *warehouse.Store, rekey bool) (*pseudonym.Key, string, error) {
	if cfg.KeyFile == "" {
		if rekey {
			return nil, "", fmt.Errorf("--rekey: %s has no key_file", cfg.Path)
		}
		return nil, "", nil
	}
	if _, err := os.Lstat(cfg.KeyFile); errors.Is(err, fs.ErrNotExist) && !rekey && !needsKey(cfg) {
		return nil, "", nil // no job pseudonymises: the key may be made later
	}
	key, err := pseudonym.LoadKey(cfg.KeyFile)
	if err != nil {
		return nil, "", err
	}
	fp := key.Fingerprint()
	db, err := store.OpenReadOnly(ctx)
	if errors.Is(err, warehouse.ErrNoWarehouse) {
		return &key, fp, nil
	}
	if err != nil {
		return nil, "", err
	}
	defer db.Close()
	var stored string
	_ = db.QueryRowContext(ctx, "SELECT value FROM meta.state WHERE key = ?", keyFingerprintKey).Scan(&stored)
	if stored != "" && stored != fp && !rekey {
		return nil, "", fmt.Errorf("%w: the key in %s (fingerprint %s) is not the key the warehouse's pseudonyms were made with (fingerprint %s): "+
			"with it, children would get new pseudonyms and no longer join their earlier records. Put the former key back; "+
			"or, to re-pseudonymise on purpose, run `odpe refresh --rekey`, which reloads every file carrying identifiers with the new key "+
			"(all or nothing: the previous warehouse is kept if one of them fails)",
			ErrOtherKey, cfg.KeyFile, fp[:12], stored[:min(12, len(stored))])
	}
	return &key, fp, nil
}

// dropLoaded retires every loaded file of a job that pseudonymises, and
// drops its rows, before --rekey loads its files again: no pseudonym made
// with the former key stays (a file gone from the source folder included).
func dropLoaded(ctx context.Context, b *warehouse.Build, p jobPlan) error {
	for _, t := range p.kind.Tables {
		if _, err := b.DB.ExecContext(ctx, fmt.Sprintf(`DELETE FROM raw.%s WHERE file_id IN
			(SELECT file_id FROM meta.files WHERE job = ? AND status = 'loaded')`, t), p.job.Name); err != nil {
			return err
		}
	}
	_, err := b.DB.ExecContext(ctx, `UPDATE meta.files SET status = 'rekeyed' WHERE job = ? AND status = 'loaded'`, p.job.Name)
	return err
}

// needsKey reports whether a job of the configuration pseudonymises.
func needsKey(cfg *configs.Config) bool {
	for _, j := range cfg.Jobs {
		if k, ok := extract.Lookup(j.Kind); ok && k.NeedsKey {
			return true
		}
	}
	return false
}
