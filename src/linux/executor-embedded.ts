// The built executor as a file the bundler embeds: in a `bun build --compile` binary the import is a
// path inside Bun's /$bunfs/ that node:fs reads; under `bun` from source it is the file's own path.
// Only Bun loads this module (executor-image.ts); Node would try to parse the binary as JavaScript.
import executor from '../../native/build/ocirt-executor' with { type: 'file' };

export default executor;
