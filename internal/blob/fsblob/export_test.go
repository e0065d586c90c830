package fsblob

// ChunkSize is chunkSize, for the external tests of sizes around a chunk boundary.
const ChunkSize = chunkSize
