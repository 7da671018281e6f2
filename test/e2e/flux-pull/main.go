// flux-pull pulls a Flux OCI artifact with Flux's own client library,
// github.com/fluxcd/pkg/oci at the version go.mod pins, exactly as
// `flux pull artifact` does (flux2 cmd/flux/pull_artifact.go: the output
// folder must exist, oci.ParseArtifactURL, oci.DefaultOptions plus
// crane.Insecure for --insecure-registry, oci.NewClient, Client.Pull into the
// folder). Client.Pull extracts the first layer with fluxcd/pkg/tar Untar, as
// source-controller does for an OCIRepository (no layerSelector, or one
// selecting that layer, operation extract).
//
// The pinned v0.70.0 is the newest fluxcd/pkg/oci that builds with Go 1.26:
// its pull.go is identical to v0.68.1's, the version flux2 v2.9.5 and
// source-controller v1.9.6 are built with, and its push.go is identical to
// the newest (v0.73.0).
//
//	flux-pull [-insecure] [-push-copy <oci://…:tag>] <oci://host:port/repository:tag> <dir>
//
// Besides extracting into <dir>, it prints one JSON object on stdout:
//
//   - metadata: what Client.Pull returns (created, source, revision from the
//     manifest annotations, digest, url);
//   - configMediaType, layerMediaTypes: as go-containerregistry reads them;
//   - validate: go-containerregistry's validate.Image on the remote artifact
//     (config digest, size and content, layer digests, manifest), "" when valid;
//   - fluxPushDigest: the digest of the image Client.Push builds
//     (push.go:135-148) around this artifact's layer with its annotations,
//     so a caller can check the artifact is what `flux push artifact` writes
//     for the same layer;
//   - pushCopy (with -push-copy): Client.Push of the extracted folder, with
//     the pulled created/source/revision, to the given reference: Flux's own
//     artifact of the same files, its digest and manifest.
//
// Anonymous access only (the tests' loopback registry). Exit 0 on success;
// 1 with the error on stderr otherwise; 2 on wrong usage.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/fluxcd/pkg/oci"
	"github.com/google/go-containerregistry/pkg/crane"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

type pushed struct {
	Digest   string `json:"digest"`
	Manifest string `json:"manifest"`
	Config   string `json:"config"`
}

type report struct {
	Metadata        *oci.Metadata `json:"metadata"`
	ConfigMediaType string        `json:"configMediaType"`
	LayerMediaTypes []string      `json:"layerMediaTypes"`
	Validate        string        `json:"validate"`
	FluxPushDigest  string        `json:"fluxPushDigest"`
	PushCopy        *pushed       `json:"pushCopy,omitempty"`
}

func main() {
	insecure := flag.Bool("insecure", false, "allow plain http, as `flux pull artifact --insecure-registry`")
	pushCopy := flag.String("push-copy", "", "also push the extracted folder with Client.Push to this oci:// reference")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: flux-pull [-insecure] [-push-copy <oci://host:port/repository:tag>] <oci://host:port/repository:tag> <dir>")
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := run(ctx, flag.Arg(0), flag.Arg(1), *insecure, *pushCopy)
	if err != nil {
		fmt.Fprintln(os.Stderr, "flux-pull:", err)
		os.Exit(1)
	}
	out, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "flux-pull:", err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}

func run(ctx context.Context, ociURL, dir string, insecure bool, pushCopy string) (*report, error) {
	// As pullArtifactCmdRun: the output folder must exist.
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("invalid output path %q: %v", dir, err)
	}
	url, err := oci.ParseArtifactURL(ociURL)
	if err != nil {
		return nil, err
	}
	opts := oci.DefaultOptions()
	if insecure {
		opts = append(opts, crane.Insecure)
	}
	client := oci.NewClient(opts)
	meta, err := client.Pull(ctx, url, dir)
	if err != nil {
		return nil, fmt.Errorf("pull: %w", err)
	}

	img, err := crane.Pull(url, append(opts, crane.WithContext(ctx))...)
	if err != nil {
		return nil, err
	}
	manifest, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	r := &report{Metadata: meta, ConfigMediaType: string(manifest.Config.MediaType), LayerMediaTypes: []string{}}
	for _, l := range manifest.Layers {
		r.LayerMediaTypes = append(r.LayerMediaTypes, string(l.MediaType))
	}
	if err := validate.Image(img); err != nil {
		r.Validate = err.Error()
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	if len(layers) != 1 {
		return nil, fmt.Errorf("expected one layer, found %d", len(layers))
	}
	digest, err := fluxPushDigest(layers[0], manifest.Annotations)
	if err != nil {
		return nil, err
	}
	r.FluxPushDigest = digest.String()

	if pushCopy != "" {
		copyURL, err := oci.ParseArtifactURL(pushCopy)
		if err != nil {
			return nil, err
		}
		// What `flux push artifact --path <dir> --source … --revision …` does with this metadata.
		if _, err := client.Push(ctx, copyURL, dir, oci.WithPushMetadata(oci.Metadata{Created: meta.Created, Source: meta.Source, Revision: meta.Revision})); err != nil {
			return nil, fmt.Errorf("push: %w", err)
		}
		d, err := crane.Digest(copyURL, append(opts, crane.WithContext(ctx))...)
		if err != nil {
			return nil, err
		}
		m, err := crane.Manifest(copyURL, append(opts, crane.WithContext(ctx))...)
		if err != nil {
			return nil, err
		}
		c, err := crane.Config(copyURL, append(opts, crane.WithContext(ctx))...)
		if err != nil {
			return nil, err
		}
		r.PushCopy = &pushed{Digest: d, Manifest: string(m), Config: string(c)}
	}
	return r, nil
}

// fluxPushDigest builds the image the way fluxcd/pkg/oci Client.Push does
// after creating its layer (push.go:135-148 of v0.70.0, unchanged in
// v0.73.0), with the pulled layer in place of a freshly built tarball, and
// returns its manifest digest.
func fluxPushDigest(layer gcrv1.Layer, annotations map[string]string) (gcrv1.Hash, error) {
	createdValue := annotations[oci.CreatedAnnotation]
	created, err := time.Parse(time.RFC3339, createdValue)
	if err != nil {
		return gcrv1.Hash{}, fmt.Errorf("invalid created timestamp %q: %w", createdValue, err)
	}
	configFile, err := empty.Image.ConfigFile()
	if err != nil {
		return gcrv1.Hash{}, err
	}
	configFile.Created = gcrv1.Time{Time: created}
	img, err := mutate.ConfigFile(empty.Image, configFile)
	if err != nil {
		return gcrv1.Hash{}, err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, oci.CanonicalConfigMediaType)
	img = mutate.Annotations(img, annotations).(gcrv1.Image)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer})
	if err != nil {
		return gcrv1.Hash{}, err
	}
	return img.Digest()
}
