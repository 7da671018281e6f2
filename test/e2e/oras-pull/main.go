// oras-pull downloads a release artifact exactly the way the Cluster Stack
// Operator does (pkg/assetsclient/oci, DownloadReleaseAssets at the version
// pinned as CSO_VERSION): oras.Copy from the remote repository into an oras
// file store rooted at the output folder, with oras.DefaultCopyOptions. The
// file store writes every layer under its org.opencontainers.image.title.
//
//	oras-pull [-plain-http] <registry host:port> <repository> <tag> <dir>
//
// Anonymous access only (the tests' loopback registry). Exit 0 on success;
// 1 with the oras error on stderr otherwise; 2 on wrong usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content/file"
	"oras.land/oras-go/v2/registry/remote"
)

func main() {
	plainHTTP := flag.Bool("plain-http", false, "talk http to the registry (loopback tests)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: oras-pull [-plain-http] <registry host:port> <repository> <tag> <dir>")
	}
	flag.Parse()
	if flag.NArg() != 4 {
		flag.Usage()
		os.Exit(2)
	}
	registry, repository, tag, dir := flag.Arg(0), flag.Arg(1), flag.Arg(2), flag.Arg(3)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := pull(ctx, registry+"/"+repository, tag, dir, *plainHTTP); err != nil {
		fmt.Fprintln(os.Stderr, "oras-pull:", err)
		os.Exit(1)
	}
}

func pull(ctx context.Context, reference, tag, dir string, plainHTTP bool) (reterr error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// As the operator: file.New(path), deferred Close joined into the error.
	dest, err := file.New(dir)
	if err != nil {
		return fmt.Errorf("failed to create file store: %w", err)
	}
	defer func() {
		if err := dest.Close(); err != nil {
			reterr = errors.Join(reterr, err)
		}
	}()
	repo, err := remote.NewRepository(reference)
	if err != nil {
		return fmt.Errorf("failed to create OCI client to remote repository %s: %w", reference, err)
	}
	repo.PlainHTTP = plainHTTP
	if _, err := oras.Copy(ctx, repo, tag, dest, tag, oras.DefaultCopyOptions); err != nil {
		return fmt.Errorf("failed to copy repository artifacts to path %s: %w", dir, err)
	}
	return nil
}
