package burstcost

import (
	"context"
	"crypto/sha256"
	"os"
	"time"

	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/cost"
)

// fileWatcher reloads priceCatalogFile when its content changes. A file
// that does not load is rejected with the loader's error (file, field and
// line) logged once per version of the file, and the last good catalog
// stays in use. Replacing the file by a rename (as ConfigMap volumes and
// 'spillway prices refresh' do) and editing it in place both count.
type fileWatcher struct {
	pl     *BurstCost
	path   string
	every  time.Duration
	clk    clock.WithTicker
	logger klog.Logger
	kick   chan struct{}

	sum     [sha256.Size]byte // of the last version seen, good or bad
	lastErr string            // of the last stat or read failure logged
}

// prime records the version New loaded.
func (w *fileWatcher) prime() {
	if data, err := os.ReadFile(w.path); err == nil {
		w.sum = sha256.Sum256(data)
	}
}

func (w *fileWatcher) run(ctx context.Context) {
	t := w.clk.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			w.check()
		}
	}
}

// check reads the file and loads it if it changed.
func (w *fileWatcher) check() {
	data, err := os.ReadFile(w.path)
	if err != nil {
		if err.Error() != w.lastErr {
			catalogFailures.WithLabelValues("file").Inc()
			w.logger.Error(err, "Cannot read the price catalog file; keeping the last good catalog", "file", w.path, "catalog", w.pl.current.Load().origin)
			w.lastErr = err.Error()
		}
		return
	}
	w.lastErr = ""
	sum := sha256.Sum256(data)
	if sum == w.sum {
		return
	}
	w.sum = sum
	c, err := cost.Load(data, w.path)
	var p *priced
	if err == nil {
		p, err = newPriced(c, w.pl.backends, w.path, catalogDate(c))
	}
	if err != nil {
		catalogFailures.WithLabelValues("file").Inc()
		w.logger.Error(err, "Rejected the new price catalog file; keeping the last good catalog", "file", w.path, "catalog", w.pl.current.Load().origin)
		return
	}
	w.pl.base.Store(c)
	w.pl.swap(p, w.clk)
	w.logger.Info("Loaded the new price catalog file", "file", w.path, "updated", c.Updated)
	select {
	case w.kick <- struct{}{}: // a refresh, if any, starts again from it
	default:
	}
}
