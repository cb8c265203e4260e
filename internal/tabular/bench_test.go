package tabular

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Run with:
//
//	go test ./internal/tabular/ -run '^$' -bench Roster -benchtime 1x
//
// Each benchmark writes or reads a roster of benchRows rows and 8 columns
// of Chinese text and reports the peak heap in use while it ran
// (peak-heap-MB, sampled every millisecond through runtime/metrics), the
// file's size and its unpacked size (the sheet XML for xlsx).
// TABULAR_BENCH_ROWS changes the number of rows (to see that the peak does
// not grow with the file).

var benchRows = func() int {
	if n, err := strconv.Atoi(os.Getenv("TABULAR_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}()

var benchCols = func() []Column {
	var cols []Column
	for i, h := range []string{"统一社会信用代码", "企业名称", "所属园区", "企业类型", "法定代表人", "联系电话", "注册地址", "经营范围"} {
		cols = append(cols, Column{Key: fmt.Sprint("c", i), Header: h, Required: i < 2})
	}
	return cols
}()

func benchRow(i int, out []string) []string {
	out = out[:0]
	return append(out,
		fmt.Sprintf("91310000MA%08dX", i),
		fmt.Sprintf("同心（上海）第%d号科技发展有限公司", i),
		fmt.Sprintf("第%d产业园区", i%40),
		[]string{"国有", "民营", "外资", "集体"}[i%4],
		fmt.Sprintf("张%d明", i%997),
		fmt.Sprintf("138%08d", i),
		fmt.Sprintf("上海市浦东新区张江路%d号%d室", i%5000, i%300),
		"软件开发、信息技术咨询服务、数据处理和存储支持服务（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
	)
}

// peakHeap samples the heap in use until stop is called and returns the
// highest value seen.
func peakHeap() (stop func() uint64) {
	runtime.GC()
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	read := func() {
		metrics.Read(samples)
		v := samples[0].Value.Uint64() + samples[1].Value.Uint64()
		mu.Lock()
		peak = max(peak, v)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() uint64 {
		read()
		close(done)
		wg.Wait()
		return peak
	}
}

func writeRoster(b *testing.B, path string, format Format) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w, err := NewWriter(f, format, benchCols, "zh-CN")
	if err != nil {
		b.Fatal(err)
	}
	var row []string
	for i := range benchRows {
		row = benchRow(i, row)
		if err := w.Write(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

func unpacked(b *testing.B, path string, format Format) int64 {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	if format == CSV {
		return st.Size()
	}
	z, err := zip.OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	defer z.Close()
	var n int64
	for _, f := range z.File {
		n += int64(f.UncompressedSize64)
	}
	return n
}

func openSpooled(b *testing.B, path string) *Spooled {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	s := NewSpooled(f, st.Size())
	b.Cleanup(func() { f.Close() })
	return s
}

func report(b *testing.B, peak uint64, path string, format Format) {
	st, _ := os.Stat(path)
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
	b.ReportMetric(float64(unpacked(b, path, format))/(1<<20), "unpacked-MB")
}

func BenchmarkRoster(b *testing.B) {
	if testing.Short() {
		b.Skip("writes and reads 100,000-row files")
	}
	dir := b.TempDir()
	for _, format := range []Format{XLSX, CSV} {
		path := filepath.Join(dir, "roster."+string(format))
		b.Run("write-"+string(format), func(b *testing.B) {
			var peak uint64
			for range b.N {
				stop := peakHeap()
				writeRoster(b, path, format)
				peak = max(peak, stop())
			}
			report(b, peak, path, format)
		})
		b.Run("read-"+string(format), func(b *testing.B) {
			var peak uint64
			for range b.N {
				s := openSpooled(b, path)
				stop := peakHeap()
				r, err := NewReader(s, benchCols, Options{})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					row, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if row.Get("c0") == "" || len(row.Errors) > 0 {
						b.Fatalf("row %d: %v", row.Num, row.Errors)
					}
					n++
				}
				r.Close()
				peak = max(peak, stop())
				if n != benchRows {
					b.Fatalf("%d rows", n)
				}
			}
			report(b, peak, path, format)
		})
		b.Run("import-"+string(format), func(b *testing.B) {
			var peak uint64
			for range b.N {
				s := openSpooled(b, path)
				stop := peakHeap()
				res, err := Import(context.Background(), s, Spec[[]string]{
					Columns: benchCols,
					Parse: func(_ context.Context, r Row, _ *RowErrors) ([]string, bool) {
						return []string{r.Get("c0"), r.Get("c1")}, true
					},
					Keys:   func(v []string) []UniqueKey { return []UniqueKey{{"c0", v[0]}} },
					Commit: func(context.Context, []Item[[]string]) error { return nil },
				})
				peak = max(peak, stop())
				if err != nil || res.Committed != benchRows {
					b.Fatalf("%+v %v", res, err)
				}
			}
			report(b, peak, path, format)
		})
	}
}
