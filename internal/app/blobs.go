package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"arca/internal/blob"
	"arca/internal/blob/fsblob"
	"arca/internal/blob/s3blob"
	"arca/internal/config"
)

// openBlobs opens the blob store cfg names: an S3 bucket for an s3:// Blobs, else files in
// the Blobs directory (blobs/ in the data directory when unset).
func openBlobs(ctx context.Context, cfg config.Config) (blob.Store, error) {
	rest, isS3 := strings.CutPrefix(cfg.Blobs, "s3://")
	if !isS3 {
		dir := cfg.Blobs
		if dir == "" {
			dir = filepath.Join(cfg.DataDir, "blobs")
		}
		return fsblob.New(dir)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	s, err := s3blob.New(ctx, s3blob.Config{Endpoint: cfg.S3.Endpoint, Region: cfg.S3.Region, Bucket: bucket,
		Prefix: prefix, AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey})
	if err != nil {
		return nil, fmt.Errorf("s3://%s: %w", bucket, err)
	}
	return s, nil
}

// blobsName describes the blob store for logs.
func blobsName(cfg config.Config) string {
	switch {
	case strings.HasPrefix(cfg.Blobs, "s3://"):
		return cfg.Blobs + " at " + cfg.S3.Endpoint
	case cfg.Blobs != "":
		return cfg.Blobs
	}
	return filepath.Join(cfg.DataDir, "blobs")
}

// blobsKind names the kind of blob store for the status: "s3" or "files".
func blobsKind(cfg config.Config) string {
	if strings.HasPrefix(cfg.Blobs, "s3://") {
		return "s3"
	}
	return "files"
}
