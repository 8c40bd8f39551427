// esbuild bundles the stylesheet imported by the webview entry into dist/webview/chain.css.
declare module '*.css';
