package restapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"arca"
	"arca/internal/auth"
	"arca/internal/meta"
	"arca/internal/repo"
)

const storagePrefix = "/artifactory/api/storage/"

type checksumsJSON struct {
	SHA1   string `json:"sha1"`
	MD5    string `json:"md5"`
	SHA256 string `json:"sha256"`
}

func sumsJSON(c arca.Checksums) checksumsJSON {
	return checksumsJSON{SHA1: c.SHA1, MD5: c.MD5, SHA256: c.SHA256}
}

// fileInfoJSON is the storage API's file info (and, with Repo/Created…, the deploy response).
type fileInfoJSON struct {
	URI               string        `json:"uri"`
	DownloadURI       string        `json:"downloadUri"`
	Repo              string        `json:"repo"`
	Path              string        `json:"path"`
	RemoteURL         string        `json:"remoteUrl,omitempty"`
	Created           string        `json:"created"`
	CreatedBy         string        `json:"createdBy"`
	LastModified      string        `json:"lastModified"`
	ModifiedBy        string        `json:"modifiedBy"`
	LastUpdated       string        `json:"lastUpdated"`
	Size              string        `json:"size"`
	MimeType          string        `json:"mimeType"`
	Checksums         checksumsJSON `json:"checksums"`
	OriginalChecksums checksumsJSON `json:"originalChecksums"`
}

func fileInfo(base string, it arca.Item) fileInfoJSON {
	return fileInfoJSON{
		URI: storageURL(base, it.Repo, it.Path), DownloadURI: itemURL(base, it.Repo, it.Path),
		Repo: it.Repo, Path: "/" + it.Path,
		Created: isoTime(it.Created), CreatedBy: it.CreatedBy,
		LastModified: isoTime(it.Modified), ModifiedBy: it.ModifiedBy, LastUpdated: isoTime(it.Updated),
		Size: strconv.FormatInt(it.Size, 10), MimeType: it.MimeType,
		Checksums: sumsJSON(it.Checksums), OriginalChecksums: sumsJSON(it.Original),
	}
}

// deployInfo is the 201 body of a deploy, Artifactory's shape.
func deployInfo(base string, it arca.Item) fileInfoJSON { return fileInfo(base, it) }

type childJSON struct {
	URI    string `json:"uri"`
	Folder bool   `json:"folder"`
}

type folderInfoJSON struct {
	URI          string      `json:"uri"`
	Repo         string      `json:"repo"`
	Path         string      `json:"path"`
	Created      string      `json:"created"`
	CreatedBy    string      `json:"createdBy"`
	LastModified string      `json:"lastModified"`
	ModifiedBy   string      `json:"modifiedBy"`
	LastUpdated  string      `json:"lastUpdated"`
	Children     []childJSON `json:"children"`
}

func folderInfo(base string, it arca.Item, children []arca.Item) folderInfoJSON {
	f := folderInfoJSON{
		URI: storageURL(base, it.Repo, it.Path), Repo: it.Repo, Path: "/" + it.Path,
		Created: isoTime(it.Created), CreatedBy: it.CreatedBy,
		LastModified: isoTime(it.Modified), ModifiedBy: it.ModifiedBy, LastUpdated: isoTime(it.Updated),
		Children: []childJSON{},
	}
	for _, c := range children {
		f.Children = append(f.Children, childJSON{URI: "/" + c.Name(), Folder: c.Folder})
	}
	return f
}

// StorageGet handles GET /api/storage/{repo}/{path} with its query modes: ?properties, ?stats,
// ?list, or plain file/folder info.
func (a *API) StorageGet(w http.ResponseWriter, r *http.Request) error {
	rep, rp, err := a.resolve(r, storagePrefix, auth.Read)
	if err != nil {
		return err
	}
	q := query(r)
	ctx := r.Context()
	it, err := rep.Stat(ctx, rp.Path)
	if err != nil {
		return err
	}
	// Properties and statistics live with the item where it is stored (a virtual repository
	// resolves to a member); URIs name the repository the client asked for.
	stored := it.Repo
	it.Repo = rp.Repo
	base := a.baseURL(r)
	switch {
	case has(q, "properties"):
		return a.getProperties(w, r, stored, it, q.Get("properties"))
	case has(q, "stats"):
		return a.getStats(w, r, stored, it)
	case has(q, "list"):
		return a.list(w, r, rep, it, q)
	case it.Folder:
		return a.folderInfo(w, r, rep, it, q)
	default:
		fi := fileInfo(base, it)
		fi.RemoteURL = remoteURL(rep, stored, it.Path)
		return writeJSON(w, http.StatusOK, fi)
	}
}

func has(q map[string][]string, k string) bool { _, ok := q[k]; return ok }

func (a *API) getProperties(w http.ResponseWriter, r *http.Request, stored string, it arca.Item, keys string) error {
	props, err := a.Meta.GetProps(r.Context(), stored, it.Path)
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return err
	}
	if want := ParsePropertyKeys(keys); len(want) > 0 {
		sel := arca.Properties{}
		for _, k := range want {
			if v, ok := props[k]; ok {
				sel[k] = v
			}
		}
		props = sel
	}
	if len(props) == 0 {
		return arca.Errorf(arca.ErrNotFound, "No properties could be found.")
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"properties": props, "uri": storageURL(a.baseURL(r), it.Repo, it.Path),
	})
}

func (a *API) getStats(w http.ResponseWriter, r *http.Request, stored string, it arca.Item) error {
	if err := a.Downloads.Flush(r.Context()); err != nil {
		a.Log.Warn("flushing download statistics", "err", err)
	}
	st, err := a.Meta.GetStats(r.Context(), stored, it.Path)
	if err != nil {
		return err
	}
	ms := func(t interface{ UnixMilli() int64 }, zero bool) int64 {
		if zero {
			return 0
		}
		return t.UnixMilli()
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"uri":                    storageURL(a.baseURL(r), it.Repo, it.Path),
		"downloadCount":          st.DownloadCount,
		"lastDownloaded":         ms(st.LastDownloaded, st.LastDownloaded.IsZero()),
		"lastDownloadedBy":       st.LastDownloadedBy,
		"remoteDownloadCount":    st.RemoteDownloadCount,
		"remoteLastDownloaded":   ms(st.RemoteLastDownloaded, st.RemoteLastDownloaded.IsZero()),
		"remoteLastDownloadedBy": st.RemoteLastDownloadedBy,
	})
}

type listFileJSON struct {
	URI          string `json:"uri"`
	Size         int64  `json:"size"`
	LastModified string `json:"lastModified"`
	Folder       bool   `json:"folder"`
	SHA1         string `json:"sha1,omitempty"`
	SHA2         string `json:"sha2,omitempty"`
}

// list answers ?list[&deep=1][&depth=N][&listFolders=1][&includeRootPath=1], with the paging
// parameters limit and after (listing.go); includeRootPath applies to the first page.
func (a *API) list(w http.ResponseWriter, r *http.Request, rep repo.Repository, it arca.Item, q map[string][]string) error {
	if !it.Folder {
		return arca.Errorf(arca.ErrInvalid, "'%s/%s' is a file; ?list needs a folder", it.Repo, it.Path)
	}
	deep := flag(q, "deep")
	opt := meta.ListOptions{Deep: deep, FilesOnly: !flag(q, "listFolders")}
	if d := first(q, "depth"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return arca.Errorf(arca.ErrInvalid, "depth: %q is not a non-negative integer", d)
		}
		if deep {
			opt.MaxDepth = n
		}
	}
	limit, after, err := pageParams(q)
	if err != nil {
		return err
	}
	l, err := newListing(r.Context(), rep, it.Path, opt, after, limit)
	if err != nil {
		return err
	}
	base := a.baseURL(r)
	next := l.linkNext(w, r, base)
	out, err := startJSON(w, [][2]any{{"uri", storageURL(base, it.Repo, it.Path)}, {"created", isoTime(a.Now())}}, "files")
	if err != nil {
		return err
	}
	if flag(q, "includeRootPath") && !opt.FilesOnly && after == "" {
		if err := out.elem(listFileJSON{URI: "/", LastModified: isoTime(it.Modified), Folder: true}); err != nil {
			return err
		}
	}
	err = l.each(func(c arca.Item) error {
		f := listFileJSON{URI: "/" + relPath(it.Path, c.Path), Size: c.Size, LastModified: isoTime(c.Modified), Folder: c.Folder}
		if !c.Folder {
			f.SHA1, f.SHA2 = c.Checksums.SHA1, c.Checksums.SHA256
		} else {
			f.Size = -1
		}
		return out.elem(f)
	})
	if err != nil {
		return err
	}
	if next != "" {
		return out.end([2]any{"next", next})
	}
	return out.end()
}

// folderInfo answers the folder info of the storage API: the folder and its children, with the
// paging parameters limit and after (listing.go).
func (a *API) folderInfo(w http.ResponseWriter, r *http.Request, rep repo.Repository, it arca.Item, q map[string][]string) error {
	limit, after, err := pageParams(q)
	if err != nil {
		return err
	}
	l, err := newListing(r.Context(), rep, it.Path, meta.ListOptions{}, after, limit)
	if err != nil {
		return err
	}
	base := a.baseURL(r)
	next := l.linkNext(w, r, base)
	f := folderInfo(base, it, nil)
	out, err := startJSON(w, [][2]any{{"uri", f.URI}, {"repo", f.Repo}, {"path", f.Path}, {"created", f.Created},
		{"createdBy", f.CreatedBy}, {"lastModified", f.LastModified}, {"modifiedBy", f.ModifiedBy},
		{"lastUpdated", f.LastUpdated}}, "children")
	if err != nil {
		return err
	}
	if err := l.each(func(c arca.Item) error { return out.elem(childJSON{URI: "/" + c.Name(), Folder: c.Folder}) }); err != nil {
		return err
	}
	if next != "" {
		return out.end([2]any{"next", next})
	}
	return out.end()
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// StoragePut handles PUT /api/storage/{repo}/{path}?properties=…[&recursive=1]; 204.
func (a *API) StoragePut(w http.ResponseWriter, r *http.Request) error {
	rep, rp, err := a.resolve(r, storagePrefix, auth.Annotate)
	if err != nil {
		return err
	}
	q := query(r)
	if !has(q, "properties") {
		return arca.Errorf(arca.ErrInvalid, "the properties parameter is required")
	}
	props, err := ParseProperties(q.Get("properties"))
	if err != nil {
		return err
	}
	stored, err := a.propertiesTarget(r, rep, rp)
	if err != nil {
		return err
	}
	if err := a.Meta.SetProps(r.Context(), stored, rp.Path, props, recursive(q)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// StorageDelete handles DELETE /api/storage/{repo}/{path}?properties=k1,k2[&recursive=1]; 204.
func (a *API) StorageDelete(w http.ResponseWriter, r *http.Request) error {
	rep, rp, err := a.resolve(r, storagePrefix, auth.Annotate)
	if err != nil {
		return err
	}
	q := query(r)
	keys := ParsePropertyKeys(q.Get("properties"))
	if len(keys) == 0 {
		return arca.Errorf(arca.ErrInvalid, "the properties parameter must name at least one property")
	}
	stored, err := a.propertiesTarget(r, rep, rp)
	if err != nil {
		return err
	}
	if err := a.Meta.DeleteProps(r.Context(), stored, rp.Path, keys, recursive(q)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// propertiesTarget returns the key under which the item whose properties change is stored.
func (a *API) propertiesTarget(r *http.Request, rep repo.Repository, rp repoPath) (string, error) {
	it, err := rep.Stat(r.Context(), rp.Path)
	if err != nil {
		return "", err
	}
	return storedIn(rep, it)
}

// remoteURL is the upstream URL of an item cached by a remote repository ("" otherwise).
func remoteURL(rep repo.Repository, stored, p string) string {
	var rem *repo.Remote
	switch v := rep.(type) {
	case *repo.Remote:
		rem = v
	case *repo.CacheRepo:
		rem = v.Remote()
	}
	if rem == nil || stored != rem.Cache().Key() {
		return ""
	}
	return rem.UpstreamURL(p)
}

// storedIn returns the key an item is stored under: its own repository, or for a virtual
// repository the member it resolved to. A folder of a virtual repository is a view over several
// members and has no single store.
func storedIn(rep repo.Repository, it arca.Item) (string, error) {
	if _, ok := rep.(*repo.Virtual); ok && it.Folder {
		return "", arca.Errorf(arca.ErrInvalid,
			"'%s/%s' is a folder of a virtual repository, a view over its members: change it in the member repository", rep.Config().Key(), it.Path)
	}
	if k := repo.StorageKey(rep); k != "" {
		return k, nil
	}
	return it.Repo, nil
}

// recursive reads "recursive": Artifactory applies property changes recursively unless
// recursive=0 is given.
func recursive(q map[string][]string) bool {
	v := first(q, "recursive")
	return v == "" && !has(q, "recursive") || v == "1" || strings.EqualFold(v, "true")
}
