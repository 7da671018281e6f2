module overwrite-render

go 1.24.0

require (
	github.com/go-task/slim-sprig/v3 v3.0.0
	gopkg.in/yaml.v3 v3.0.1
)
