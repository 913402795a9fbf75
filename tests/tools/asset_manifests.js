// The CDK's own schema library must load every asset manifest of an assembly,
// and every Lambda function's S3Key must be a file one of them publishes from
// the assembly. Usage: node asset_manifests.js <node_modules with
// @aws-cdk/cloud-assembly-schema> <assembly dir>; prints "<stack> <file count>".
'use strict';
const fs = require('fs');
const path = require('path');
const { Manifest } = require(path.join(process.argv[2], '@aws-cdk/cloud-assembly-schema'));
const dir = process.argv[3];
const fail = (msg) => { console.error(`asset_manifests: ${msg}`); process.exit(1); };

const assembly = Manifest.loadAssemblyManifest(path.join(dir, 'manifest.json'));
const artifacts = assembly.artifacts || {};
let checked = 0;
for (const [id, art] of Object.entries(artifacts)) {
  if (art.type !== 'aws:cloudformation:stack') continue;
  const template = JSON.parse(fs.readFileSync(path.join(dir, art.properties.templateFile), 'utf8'));
  const keys = Object.values(template.Resources || {})
    .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties && r.Properties.Code && r.Properties.Code.S3Key)
    .map((r) => r.Properties.Code.S3Key);
  const manifests = (art.dependencies || []).filter((d) => artifacts[d] && artifacts[d].type === 'cdk:asset-manifest');
  if (keys.length === 0) {
    if (manifests.length !== 0) fail(`${id} has no Lambda code but depends on ${manifests}`);
    continue;
  }
  if (manifests.length !== 1) fail(`${id} has Lambda code but ${manifests.length} asset manifests`);
  const file = path.join(dir, artifacts[manifests[0]].properties.file);
  const assets = Manifest.loadAssetManifest(file);  // throws when the schema refuses it
  const published = new Map();
  for (const [hash, f] of Object.entries(assets.files || {})) {
    const source = path.join(dir, f.source.path);
    if (!fs.existsSync(source)) fail(`${file}: asset ${hash} has no source ${source}`);
    for (const d of Object.values(f.destinations)) published.set(d.objectKey, d.bucketName);
  }
  for (const key of keys)
    if (!published.has(key)) fail(`${id}: the template's S3Key ${key} is not in ${file}`);
  const templateKey = art.properties.stackTemplateAssetObjectUrl.split('/').pop();
  if (!published.has(templateKey)) fail(`${id}: its template ${templateKey} is not in ${file}`);
  console.log(`${id} ${Object.keys(assets.files).length}`);
  ++checked;
}
if (checked === 0) fail(`no stack of ${dir} has Lambda code`);
