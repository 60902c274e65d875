import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "dist.tmp-*/",
      "dist.old-*/",
      ".cache/",
      "**/node_modules/",
      "**/dist/",
      "bench/results/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
        // Node's timers and Buffer, for the plain-JS scripts (TypeScript files get them from @types/node).
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        Buffer: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-require-imports": "off",
      "no-restricted-syntax": ["error", { selector: "ExportDefaultDeclaration", message: "Use named exports." }],
    },
  },
  // Tool configs must default-export; everything else uses named exports.
  { files: ["vitest.config.ts", "eslint.config.mjs"], rules: { "no-restricted-syntax": "off" } },
);
