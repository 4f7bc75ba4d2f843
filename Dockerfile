# spillway-scheduler's image, built by a container engine. `make image`
# builds the same image without one (hack/image: the static binaries on an
# empty base); use this file where a Docker or BuildKit build is the norm:
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t REGISTRY/spillway-scheduler:TAG .
#
# Stage 1: static binaries (no cgo), the version stamped as `make build` does.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=v1.34.10+spillway.unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=${VERSION}" \
      -o /out/ ./cmd/spillway-scheduler ./cmd/spillway

# Stage 2: distroless static (CA certificates, /etc/passwd, no shell), as
# the non-root user 65532 that manifests/deployment.yaml runs.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/spillway-scheduler /out/spillway /
USER 65532:65532
LABEL org.opencontainers.image.title="spillway-scheduler" \
      org.opencontainers.image.source="https://github.com/spillway-dev/spillway"
ENTRYPOINT ["/spillway-scheduler"]
