// Package goredis tests the example server with go-redis, a Redis client
// the server must work with. It is a module of its own so that the main
// module does not depend on go-redis; run its tests with
//
//	cd examples/server/goredis && go test -race ./...
package goredis
