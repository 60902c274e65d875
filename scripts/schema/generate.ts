// Generates plugin/schema.json, the Pulumi package schema of the native provider, from the TypeScript
// definitions the dynamic classes use: the REST input models (provider/client/models.ts) for the service's
// fields, provider/types.ts for the resources' own inputs (`connection`, `adoptExisting`, the id), the
// resource classes' JSDoc (provider/resources/) and provider/kinds.ts for the four kinds. Nothing is listed
// twice: a field added to a model appears in the schema on the next `npm run schema`, and
// test/unit/pluginSchema.test.ts fails until then.
//
//   npm run schema            writes plugin/schema.json
//   npm run schema -- --check exits 1 when plugin/schema.json is stale

import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import type { AdminCollection } from "../../provider/client/models";
import { ADMIN_COLLECTIONS } from "../../provider/client/models";
import { ADOPT_KEY, ADOPTED_KEY, CONNECTION_KEY, ETAG_KEY, KINDS, LEAVE_KEY } from "../../provider/kinds";
import { TypeMapper, type ObjectTypeSpec, type PropertySpec } from "./typeMap";

const PACKAGE = "jobrouter";
/** Inputs of CommonArgs (provider/types.ts) that the native resources take; componentOrigin is ContactCenter's. */
const COMMON_INPUTS = [CONNECTION_KEY, ADOPT_KEY];

interface ResourceSpec extends ObjectTypeSpec {
  inputProperties: Record<string, PropertySpec>;
  requiredInputs: string[];
  aliases?: Array<{ type: string }>;
}

export const SCHEMA_PATH = path.join("plugin", "schema.json");

function exported(checker: ts.TypeChecker, file: ts.SourceFile, name: string): ts.Symbol {
  const moduleSymbol = checker.getSymbolAtLocation(file);
  const symbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
  if (!symbol) throw new Error(`schema: ${file.fileName} exports no ${name}`);
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function declaredType(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Type {
  return checker.getDeclaredTypeOfSymbol(symbol);
}

function member(type: ts.Type, name: string, where: string): ts.Symbol {
  const symbol = type.getProperty(name);
  if (!symbol) throw new Error(`schema: ${where} has no property ${name}`);
  return symbol;
}

/** The schema, as the object that is written (keys in a stable order). */
export function generateSchema(root: string): Record<string, unknown> {
  const file = (rel: string): string => path.join(root, rel);
  const sources = {
    models: file("provider/client/models.ts"),
    types: file("provider/types.ts"),
    kinds: file("provider/kinds.ts"),
    connection: file("provider/connection.ts"),
    resources: file("provider/resources/index.ts"),
  };
  const program = ts.createProgram(Object.values(sources), {
    strict: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = (p: string): ts.SourceFile => {
    const sf = program.getSourceFile(p);
    if (!sf) throw new Error(`schema: cannot read ${p}`);
    return sf;
  };
  const mapper = new TypeMapper(checker, PACKAGE);
  const doc = (s: ts.Symbol, what: string): string => {
    const d = mapper.docOf(s);
    if (d === "") mapper.undocumented.push(what);
    return d;
  };

  const byCollection = declaredType(checker, exported(checker, source(sources.models), "AdminInputByCollection"));
  const commonArgs = declaredType(checker, exported(checker, source(sources.types), "CommonArgs"));
  const kindsFile = source(sources.kinds);
  const pkgJson = JSON.parse(fs.readFileSync(file("packages/pulumi-jobrouter/package.json"), "utf8")) as {
    version: string;
  };

  const resources: Record<string, ResourceSpec> = {};
  for (const collection of ADMIN_COLLECTIONS as readonly AdminCollection[]) {
    const kind = KINDS[collection];
    const token = `${PACKAGE}:index:${kind.typeName}`;
    const model = checker.getTypeOfSymbol(member(byCollection, collection, "AdminInputByCollection"));
    const args = declaredType(checker, exported(checker, source(sources.types), `${kind.typeName}Args`));
    const cls = exported(checker, source(sources.resources), kind.typeName);
    const modelFields = model.getProperties().map((s) => s.name);
    if (JSON.stringify(modelFields) !== JSON.stringify(kind.fields)) {
      throw new Error(
        `schema: ${kind.typeName}: the model's fields ${modelFields} differ from kinds.ts ${kind.fields}`,
      );
    }

    const inputs: Record<string, PropertySpec> = {};
    const idSymbol = member(args, kind.idKey, `${kind.typeName}Args`);
    inputs[kind.idKey] = { type: "string", description: doc(idSymbol, `${kind.typeName}Args.${kind.idKey}`) };
    for (const s of model.getProperties()) {
      const spec = mapper.map(mapper.typeOfProperty(s), `${kind.typeName}.${s.name}`);
      inputs[s.name] = { ...spec, description: doc(s, `${kind.typeName}.${s.name}`) };
    }
    for (const name of COMMON_INPUTS) {
      const s = member(commonArgs, name, "CommonArgs");
      // Both accept more than one shape (a connection string or {endpoint, accessKey}; true or "overwrite").
      inputs[name] = { $ref: "pulumi.json#/Any", description: doc(s, `CommonArgs.${name}`) };
    }
    inputs[CONNECTION_KEY] = { ...inputs[CONNECTION_KEY], secret: true };
    inputs[LEAVE_KEY] = { type: "boolean", description: doc(member(commonArgs, LEAVE_KEY, "CommonArgs"), LEAVE_KEY) };

    const outputs: Record<string, PropertySpec> = {};
    for (const [name, spec] of Object.entries(inputs)) if (name !== ADOPT_KEY) outputs[name] = spec;
    const clsType = checker.getDeclaredTypeOfSymbol(cls);
    outputs[ETAG_KEY] = {
      type: "string",
      description: doc(member(clsType, ETAG_KEY, kind.typeName), `${kind.typeName}.etag`),
    };
    // The owner (kinds.ts OWNER_KEY, `__owner`) stays in state but out of the schema: it is bookkeeping the engine
    // hides, and a `__` name would be mangled in Python classes.
    outputs[ADOPTED_KEY] = {
      type: "boolean",
      description: doc(exported(checker, kindsFile, "ADOPTED_KEY"), "kinds.ts ADOPTED_KEY"),
    };

    resources[token] = {
      type: "object",
      description: doc(cls, `class ${kind.typeName}`),
      properties: outputs,
      required: [kind.idKey],
      inputProperties: inputs,
      requiredInputs: [],
    };
  }

  const connectionDoc = doc(
    exported(checker, source(sources.connection), "CONNECTION_CONFIG_KEY"),
    "CONNECTION_CONFIG_KEY",
  );
  const connectionString: PropertySpec = { type: "string", secret: true, description: connectionDoc };
  const endpoint: PropertySpec = {
    type: "string",
    description: doc(exported(checker, source(sources.connection), "ENDPOINT_CONFIG_KEY"), "ENDPOINT_CONFIG_KEY"),
  };
  // An explicit provider resource (`jobrouter.Provider("eu", connection_string=...)`) takes the same value for its
  // own namespace; the config's description would send its reader to the stack config.
  const providerConnectionString: PropertySpec = {
    ...connectionString,
    description:
      "The Job Router connection string of this provider's namespace " +
      "(`endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`): the resources that name this " +
      "provider in their options are managed there. Always kept secret. The default provider takes it from the " +
      "stack config `jobrouter:connectionString`. Give either this or `endpoint`, not both.",
  };
  const providerEndpoint: PropertySpec = {
    type: "string",
    description:
      "The endpoint of this provider's namespace (`https://<resource>.communication.azure.com`), reached with Entra ID " +
      "(DefaultAzureCredential) instead of an access key: the resources that name this provider in their options are " +
      "managed there. Not a secret. The default provider takes it from the stack config `jobrouter:endpoint`. Give " +
      "either this or `connectionString`, not both.",
  };

  if (mapper.undocumented.length > 0) {
    throw new Error(`schema: these have no JSDoc description: ${mapper.undocumented.join(", ")}`);
  }
  const types: Record<string, ObjectTypeSpec> = {};
  for (const token of [...mapper.types.keys()].sort()) types[token] = mapper.types.get(token) as ObjectTypeSpec;

  return {
    name: PACKAGE,
    displayName: "Azure Communication Services Job Router",
    version: pkgJson.version,
    description:
      "Azure Communication Services Job Router as a native Pulumi provider: distribution policies, queues, " +
      "classification and exception policies, managed by the same engine as the pulumi-jobrouter TypeScript classes.",
    keywords: ["pulumi", "azure", "communication-services", "job-router", "kind/native"],
    license: "Apache-2.0",
    respectSchemaVersion: true,
    config: { variables: { connectionString, endpoint } },
    provider: {
      description:
        "The jobrouter provider: one Job Router namespace, reached with a connection string (access key) or an " +
        "endpoint (Entra ID).",
      properties: { connectionString: providerConnectionString, endpoint: providerEndpoint },
      inputProperties: { connectionString: providerConnectionString, endpoint: providerEndpoint },
    },
    types,
    resources,
    language: {
      // The Python SDK (scripts/sdkgen): its version is the schema's, and it is a pyproject.toml package.
      python: { packageName: "pulumi_jobrouter", respectSchemaVersion: true, pyproject: { enabled: true } },
    },
  };
}

export function schemaText(root: string): string {
  return `${JSON.stringify(generateSchema(root), null, 2)}\n`;
}

function repositoryRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "packages", "pulumi-jobrouter", "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("schema: cannot find the repository root");
    dir = up;
  }
  return dir;
}

if (require.main === module) {
  const root = repositoryRoot();
  const target = path.join(root, SCHEMA_PATH);
  const text = schemaText(root);
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
    if (current !== text) {
      console.error(`${SCHEMA_PATH} is stale: run \`npm run schema\``);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(target, text);
    console.log(`wrote ${SCHEMA_PATH}`);
  }
}
