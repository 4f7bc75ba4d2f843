package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"time"

	"github.com/spf13/cobra"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource"
	"github.com/spillway-dev/spillway/cost/pricesource/aws"
	"github.com/spillway-dev/spillway/cost/pricesource/azure"
	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// awsRegionForm tells an AWS region code (us-east-1) from an Azure region
// name (eastus) for --region.
var awsRegionForm = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

func awsDefault() string   { return aws.DefaultEndpoint }
func azureDefault() string { return azure.DefaultEndpoint }

func newPricesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "prices",
		Short: "Work with price catalogs",
	}
	cmd.AddCommand(newPricesRefreshCommand())
	return cmd
}

func newPricesRefreshCommand() *cobra.Command {
	var (
		region, awsRegion, azureRegion string
		awsEndpoint, azureEndpoint     string
		base, out, redirects           string
		opts                           httpfetch.Options
	)
	cmd := &cobra.Command{
		Use:   "refresh --region R --out FILE",
		Short: "Fetch current prices from the AWS and Azure public price lists into a dated catalog",
		Long: `refresh fetches the prices of a region from the providers' public price
lists (no credentials): Fargate and the catalog's EC2 instance types from the
AWS Price List bulk offer files (the EC2 file, hundreds of MB, is streamed and
only the catalog's types are kept), ACI and the catalog's Azure VM sizes from
the Azure Retail Prices API. It maps them onto the base catalog (--base, or
the embedded one) and writes a catalog in the same format, dated today, whose
sources say what was fetched and what was kept (billing rules, Spot prices
the offer files lack, types not found). A failing source fails the command;
nothing is written.

--region takes an AWS region code (us-east-1) or an Azure region name
(eastus), by its form; --aws-region and --azure-region set each one. --out
is a file, or a directory that gets prices-YYYY-MM-DD.yaml. The file is
replaced atomically, so a scheduler watching it (priceCatalogFile) never
reads half of one. Endpoints can point at a mirror or a proxy; the standard
HTTPS_PROXY and NO_PROXY variables apply. A redirect to another host is never
followed (it would carry the query there); --redirects None follows none.
Every response is decoded as it arrives: memory does not grow with its size.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if region != "" {
				if awsRegionForm.MatchString(region) {
					awsRegion = region
				} else {
					azureRegion = region
				}
			}
			if out == "" || (awsRegion == "" && azureRegion == "") {
				return fmt.Errorf("--out and a region (--region, --aws-region or --azure-region) are required")
			}
			policy, err := httpfetch.ParseRedirects(redirects)
			if err != nil {
				return fmt.Errorf("--redirects: %w", err)
			}
			opts.Redirects = policy
			baseCatalog := cost.Default()
			if base != "" {
				c, err := cost.LoadFile(base)
				if err != nil {
					return fmt.Errorf("--base: %w", err)
				}
				baseCatalog = c
			}
			cfg := pricesource.Config{}
			if awsRegion != "" {
				cfg.AWS = &pricesource.Source{Region: awsRegion, Endpoint: awsEndpoint}
			}
			if azureRegion != "" {
				cfg.Azure = &pricesource.Source{Region: azureRegion, Endpoint: azureEndpoint}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			r, err := pricesource.Refresh(ctx, httpfetch.New(opts), baseCatalog, cfg)
			if err != nil {
				return err
			}
			path := out
			if st, err := os.Stat(out); err == nil && st.IsDir() {
				path = filepath.Join(out, pricesource.DatedName(time.Now()))
			}
			if err := pricesource.WriteFile(path, r); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, c := range r.Changes {
				fmt.Fprintln(w, c)
			}
			fmt.Fprintf(w, "wrote %s (updated %s)\n", path, r.Catalog.Updated)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&region, "region", "", "region of one provider, by its form: us-east-1 (AWS) or eastus (Azure)")
	f.StringVar(&awsRegion, "aws-region", "", "AWS region code for Fargate and EC2 prices")
	f.StringVar(&azureRegion, "azure-region", "", "Azure region name for ACI and VM prices")
	f.StringVar(&awsEndpoint, "aws-endpoint", "", "base URL of the AWS bulk offer files (default "+awsDefault()+")")
	f.StringVar(&azureEndpoint, "azure-endpoint", "", "URL of the Azure Retail Prices API (default "+azureDefault()+")")
	f.StringVar(&base, "base", "", "catalog to start from (default: the embedded one)")
	f.StringVar(&out, "out", "", "catalog file to write, or a directory for prices-YYYY-MM-DD.yaml")
	f.DurationVar(&opts.Timeout, "timeout", httpfetch.DefaultTimeout, "each attempt's limit, body included")
	f.IntVar(&opts.Retries, "retries", httpfetch.DefaultRetries, "retries of a failed request (429, 5xx, network errors)")
	f.Int64Var(&opts.MaxResponseBytes, "max-response-bytes", httpfetch.DefaultMaxResponseBytes, "size cap of one response (a transfer bound: responses are streamed)")
	f.StringVar(&redirects, "redirects", string(httpfetch.RedirectsSameHost), "redirects followed: SameHost or None (never to another host)")
	return cmd
}
