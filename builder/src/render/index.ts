export { renderLab, type RenderedFile, type RenderInputs } from './plan.js';
export { applyRender, checkRender, sha256, type Difference } from './apply.js';
export { RenderError } from './errors.js';
export { talosDocuments, renderTalosConfig, type TalosDocument } from './talos.js';
export { harvesterConfig } from './harvester.js';
export { ARGOCD_IMAGE, ARGOCD_NAMESPACE, namespaceManifest } from './argocd.js';
export { collectorEndpoints } from './collector.js';
export { pxeUrls, pxeBase, macFileName, AGENT_ENDPOINTS } from './pxe-urls.js';
export { argocdManifest, type ArgocdSourceOptions } from './argocd-source.js';
