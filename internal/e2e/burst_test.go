package e2e_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tongxin/internal/client"
)

// peakRSS is the process's high-water resident memory (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// A burst of unauthenticated sign-ins must not take the server's memory:
// each password check costs 19 MiB, so 200 at once once took 5.6 GB. The
// pool runs a few at a time; the rest wait briefly, then get 503 with
// Retry-After. Clients that give up are no error in the log.
func TestSignInBurstMemoryIsBounded(t *testing.T) {
	e := procEngines(t)[0]
	p := start(t, e.dsn, append(e.env, "TONGXIN_LOGIN_MAX_FAILURES=100000", "TONGXIN_LOG_LEVEL=info")...)
	before := peakRSS(t, p.cmd.Process.Pid)

	const burst = 200
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
		go1    = make(chan struct{})
	)
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client.New(p.URL)
			timeout := 30 * time.Second
			if i%4 == 0 {
				timeout = 150 * time.Millisecond // these give up
			}
			c.HTTP = &http.Client{Timeout: timeout}
			<-go1
			resp, err := c.Do(context.Background(), "POST", "/api/v1/auth/login",
				map[string]string{"username": fmt.Sprintf("nobody-%d", i), "password": "wrong-password"}, nil, nil)
			status := client.StatusOf(err)
			if status == 503 && resp.Header.Get("Retry-After") == "" {
				status = -503
			}
			mu.Lock()
			counts[status]++
			mu.Unlock()
		}()
	}
	close(go1)
	wg.Wait()
	peak := peakRSS(t, p.cmd.Process.Pid)
	t.Logf("answers %v; peak RSS %d MiB (before the burst %d MiB)", counts, peak>>20, before>>20)
	if counts[401] == 0 || counts[-503] > 0 || counts[500] > 0 {
		t.Fatalf("answers %v: want 401s and 503s with Retry-After, and no 500", counts)
	}
	const limit = 256 << 20
	if peak > limit {
		t.Fatalf("peak RSS %d MiB under a burst of %d sign-ins, over %d MiB", peak>>20, burst, limit>>20)
	}
	time.Sleep(200 * time.Millisecond) // let abandoned requests finish
	if log := p.stderr.String(); strings.Contains(log, `"level":"ERROR"`) {
		t.Fatalf("the burst logged errors:\n%s", grepLines(log, `"level":"ERROR"`))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
