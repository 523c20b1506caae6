//go:build !linux

package respserver

import "errors"

// loopSupported says whether this platform has the event loop: only
// Linux (epoll) does; elsewhere each connection has its own goroutine.
const loopSupported = false

// eventLoop is Linux's (loop_linux.go); here it is never created.
type eventLoop struct{}

func newEventLoop(*Server) (*eventLoop, error) {
	return nil, errors.New("no event loop on this platform")
}

func (*eventLoop) run()                            {}
func (*eventLoop) adopt(*conn) bool                { return false }
func (*eventLoop) stop()                           {}
func (*eventLoop) read(*conn, []byte) (int, error) { return 0, errors.New("no event loop") }
