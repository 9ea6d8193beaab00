// SPDX-License-Identifier: GPL-2.0
//
// bench-native's Go side: the shapes of Go's src/sync/map_bench_test.go
// on Go's own sync.Map, with the method of bench_main.c: T goroutines
// (GOMAXPROCS=T) run for a fixed time on a fresh map set up as Go's
// benchmark sets it up; goroutine t counts from t<<40; ns/op is the time
// over all goroutines' operations.  Stdlib only.
//
// Go 1.19's sync.Map has no Swap, CompareAndSwap, CompareAndDelete or
// Clear (they came with 1.20 and 1.23): those shapes print nothing.
//
//	gomap [-t MS] [-T "1 2"] [-s shape,...]
//
// Prints CSV: impl,shape,threads,ns_per_op,ops
package main

import (
	"flag"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type shape struct {
	name         string
	hits, misses int
	setup        func(m *sync.Map)
	op           func(m *sync.Map, g *gstate, i int)
}

type gstate struct {
	stores, loadsSinceStore int64
}

func storeHits(hits int) func(m *sync.Map) {
	return func(m *sync.Map) {
		for i := 0; i < hits; i++ {
			m.LoadOrStore(i, i)
		}
		// Prime the map to get it into a steady state.
		for i := 0; i < hits*2; i++ {
			m.Load(i % hits)
		}
	}
}

func collision(m *sync.Map) { m.LoadOrStore(0, 0) }

func shapes() []shape {
	loads := func(name string, hits, misses int) shape {
		return shape{name, hits, misses, storeHits(hits),
			func(m *sync.Map, g *gstate, i int) { m.Load(i % (hits + misses)) }}
	}
	return []shape{
		loads("LoadMostlyHits", 1023, 1),
		loads("LoadMostlyMisses", 1, 1023),
		{"LoadOrStoreBalanced", 128, 128, storeHits(128),
			func(m *sync.Map, g *gstate, i int) {
				j := i % 256
				if j < 128 {
					if _, loaded := m.LoadOrStore(j, i); !loaded {
						panic("unexpected miss")
					}
				} else {
					m.LoadOrStore(i, i)
				}
			}},
		{"LoadOrStoreUnique", 0, 0, func(*sync.Map) {},
			func(m *sync.Map, g *gstate, i int) { m.LoadOrStore(i, i) }},
		{"LoadOrStoreCollision", 0, 0, collision,
			func(m *sync.Map, g *gstate, i int) { m.LoadOrStore(0, 0) }},
		{"LoadAndDeleteBalanced", 128, 128, storeHits(128),
			func(m *sync.Map, g *gstate, i int) {
				j := i % 256
				if j < 128 {
					m.LoadAndDelete(j)
				} else {
					m.LoadAndDelete(i)
				}
			}},
		{"LoadAndDeleteUnique", 0, 0, func(*sync.Map) {},
			func(m *sync.Map, g *gstate, i int) { m.LoadAndDelete(i) }},
		{"LoadAndDeleteCollision", 0, 0, collision,
			func(m *sync.Map, g *gstate, i int) {
				if _, loaded := m.LoadAndDelete(0); loaded {
					m.Store(0, 0)
				}
			}},
		{"Range", 1024, 0, storeHits(1024),
			func(m *sync.Map, g *gstate, i int) {
				m.Range(func(_, _ any) bool { return true })
			}},
		{"AdversarialAlloc", 0, 0, func(*sync.Map) {},
			func(m *sync.Map, g *gstate, i int) {
				m.Load(i)
				if g.loadsSinceStore++; g.loadsSinceStore > g.stores {
					m.LoadOrStore(i, g.stores)
					g.loadsSinceStore = 0
					g.stores++
				}
			}},
		{"AdversarialDelete", 1024, 0, storeHits(1024),
			func(m *sync.Map, g *gstate, i int) {
				m.Load(i)
				if i%1024 == 0 {
					m.Range(func(k, _ any) bool {
						m.Delete(k)
						return false
					})
					m.Store(i, i)
				}
			}},
		{"DeleteCollision", 0, 0, collision,
			func(m *sync.Map, g *gstate, i int) { m.Delete(0) }},
	}
}

func run(s shape, threads int, d time.Duration) (float64, uint64) {
	var m sync.Map
	var stop int32
	var total uint64
	var wg, ready sync.WaitGroup

	s.setup(&m)
	runtime.GOMAXPROCS(threads)
	ready.Add(threads)
	start := make(chan struct{})
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			g := &gstate{}
			i := id << 40
			var ops uint64
			ready.Done()
			<-start
			for atomic.LoadInt32(&stop) == 0 {
				for k := 0; k < 64; k++ {
					s.op(&m, g, i)
					i++
				}
				ops += 64
			}
			atomic.AddUint64(&total, ops)
		}(t)
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	time.Sleep(d)
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	el := time.Since(t0)
	return float64(el.Nanoseconds()) / float64(total), total
}

func main() {
	ms := flag.Int("t", 200, "milliseconds per cell")
	threads := flag.String("T", "1 2", "thread counts")
	only := flag.String("s", "", "shapes, comma-separated")
	flag.Parse()
	fmt.Println("impl,shape,threads,ns_per_op,ops")
	for _, s := range shapes() {
		if *only != "" && !strings.Contains(","+*only+",", ","+s.name+",") {
			continue
		}
		for _, f := range strings.FieldsFunc(*threads, func(r rune) bool { return r == ' ' || r == ',' }) {
			t, err := strconv.Atoi(f)
			if err != nil || t < 1 {
				continue
			}
			runtime.GC()
			ns, ops := run(s, t, time.Duration(*ms)*time.Millisecond)
			fmt.Printf("go-sync.Map,%s,%d,%.2f,%d\n", s.name, t, ns, ops)
		}
	}
}
