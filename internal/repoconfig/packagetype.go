package repoconfig

// GenericType is the package type of generic repositories: any files, and, as a virtual
// repository, members of any package type (Artifactory's rule). The global virtual repository
// has this type.
const GenericType = "generic"

// AggregatesAnyType reports a virtual repository that may have members of any package type
// (a generic one); other virtuals aggregate their own package type only.
func (c *Config) AggregatesAnyType() bool { return c.pkgType == GenericType }
