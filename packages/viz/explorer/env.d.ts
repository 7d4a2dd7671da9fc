// Vite's `?url` imports: the URL of an asset in the built page.
declare module '*?url' {
  const url: string;
  export default url;
}
