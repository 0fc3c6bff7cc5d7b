// Files imported `with { type: 'file' }` (Bun's file loader) are their paths.
declare module '*/ocirt-executor' {
  const path: string;
  export default path;
}
