module oras-pull

go 1.24.0

require oras.land/oras-go/v2 v2.6.0

require (
	github.com/opencontainers/go-digest v1.0.0 // indirect
	github.com/opencontainers/image-spec v1.1.1 // indirect
	golang.org/x/sync v0.14.0 // indirect
)
