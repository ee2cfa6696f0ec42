// Package transmit makes, lists and checks transmission packages: for each
// publication of an export profile whose files changed, a dated zip of
// exactly the files its recipient receives (the profile's published
// folder, nothing else), with a manifest that names the profile, the
// warehouse run, the disclosure threshold and the odpe version, and gives
// each file's size and SHA-256. The packages are kept in an archive that
// old runs' pruning never touches, so that "what did we send the DREES in
// March?" has an answer years later. It does not use the database.
package transmit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Paris on machines without a zoneinfo database
)

// The files a package adds beside the profile's files.
const (
	ManifestName = "MANIFEST.json" // Manifest, for programs
	TextName     = "manifeste.txt" // the manifest in French, for people
	SumsName     = "SHA256SUMS"    // `sha256sum -c SHA256SUMS` checks the files
)

// Format identifies the manifest's layout.
const Format = "odpe-transmission/1"

// File is one file of a published profile.
type File struct {
	Name   string `json:"name"` // relative to the profile's folder, with slashes
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest says what a package holds and where it comes from.
type Manifest struct {
	Format    string    `json:"format"`
	Profile   string    `json:"profile"`
	Title     string    `json:"title"`
	Audience  string    `json:"audience"` // internal | external
	Run       int64     `json:"run"`      // the warehouse run whose data the files hold
	Published time.Time `json:"published"`
	// Threshold is the profile's disclosure threshold (0: an internal
	// profile, not protected).
	Threshold int    `json:"threshold"`
	Version   string `json:"odpe_version"`
	Files     []File `json:"files"`
}

// Paris is the time zone of the package's date.
var Paris = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
})

// Base is the package's name without ".zip", and the folder its files
// unzip into: insee_2026-03-14_run20260314021502113.
func (m *Manifest) Base() string {
	return fmt.Sprintf("%s_%s_run%d", m.Profile, m.Published.In(Paris()).Format("2006-01-02"), m.Run)
}

// Size is the total size of the files.
func (m *Manifest) Size() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// sameContent reports whether m and o send the same files under the same
// profile settings (the run and the date aside).
func (m *Manifest) sameContent(o *Manifest) bool {
	if m.Profile != o.Profile || m.Title != o.Title || m.Audience != o.Audience ||
		m.Threshold != o.Threshold || len(m.Files) != len(o.Files) {
		return false
	}
	for i := range m.Files {
		if m.Files[i] != o.Files[i] {
			return false
		}
	}
	return true
}

// JSON is the manifest as MANIFEST.json holds it.
func (m *Manifest) JSON() []byte {
	b, _ := json.MarshalIndent(m, "", "  ")
	return append(b, '\n')
}

// Text is the manifest in French, for the person who receives it.
func (m *Manifest) Text() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Transmission « %s » — %s\n", m.Profile, m.Title)
	fmt.Fprintf(&b, "Publiée le %s (heure de Paris)\n", frDateTime(m.Published))
	fmt.Fprintf(&b, "Données de l'entrepôt : exécution n° %d\n", m.Run)
	switch {
	case m.Audience == "external":
		fmt.Fprintf(&b, "Destinataires : externes ; secret statistique : seuil de %d "+
			"(les effectifs de 1 à %d sont masqués, « s » dans les classeurs, C dans les autres fichiers ; "+
			"une cellule que publie aussi un autre profil externe l'est au plus strict de leurs seuils)\n",
			m.Threshold, m.Threshold-1)
	default:
		fmt.Fprintln(&b, "Destinataires : internes à l'observatoire (pas de secret statistique appliqué)")
	}
	fmt.Fprintf(&b, "Produite par odpe %s\n\n", m.Version)
	fmt.Fprintf(&b, "%d fichier(s), %s octets :\n\n", len(m.Files), frInt(m.Size()))
	for _, f := range m.Files {
		fmt.Fprintf(&b, "  %s\n    taille : %s octets\n    SHA-256 : %s\n", f.Name, frInt(f.Size), f.SHA256)
	}
	fmt.Fprintf(&b, "\nVérifier les fichiers reçus, depuis ce dossier : sha256sum -c %s\n", SumsName)
	fmt.Fprintf(&b, "(ou : odpe transmissions verify <archive .zip ou dossier>). %s décrit la même chose pour les programmes.\n", ManifestName)
	return b.Bytes()
}

// Sums lists the files' SHA-256 as sha256sum writes them.
func (m *Manifest) Sums() []byte {
	var b bytes.Buffer
	for _, f := range m.Files {
		fmt.Fprintf(&b, "%s  %s\n", f.SHA256, f.Name)
	}
	return b.Bytes()
}

// parseManifest reads MANIFEST.json.
func parseManifest(b []byte) (Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("%s: %w", ManifestName, err)
	}
	if m.Format != Format {
		return m, fmt.Errorf("%s: format %q, want %q", ManifestName, m.Format, Format)
	}
	return m, nil
}

// Version is odpe's version as the build recorded it: the module's
// version, or the commit it was built from (with "+modifié" when the
// tree had changes), or "(devel)".
var Version = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(inconnue)"
	}
	v := bi.Main.Version
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modifié"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case v != "" && v != "(devel)":
		return v
	case rev != "":
		return "commit " + rev + modified
	case v != "":
		return v
	}
	return "(inconnue)"
})

func frDateTime(t time.Time) string {
	return t.In(Paris()).Format("02/01/2006 à 15:04:05")
}

// frInt writes n the French way: 1 234 567.
func frInt(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(' ')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
