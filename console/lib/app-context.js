// What the running app is allowed and configured to do, set once by its entry module (the
// operator console or the portal) and read by the shared screens: a screen hides what the
// credential may not do (the API refuses it anyway).

export const appContext = {
  /** Base URL of the Temporal Web UI and its namespace (GET /console/config.json), or null. */
  temporalUiUrl: null,
  namespace: 'default',
  /** The delivery page shows its workflow (operators only). */
  showWorkflow: true,
  /** Changes to endpoints and deliveries (false: read-only). */
  canWrite: true,
  /** Reveal and rotate signing secrets. */
  canReadSecrets: true,
  /** Add endpoints (false as well when limited to some endpoints). */
  canCreateEndpoints: true,
  /** Subscribe to "*" (false when limited to some event types). */
  canSubscribeToAll: true,
  /** Told of each change (the portal tells its host page); name is e.g. 'endpoint.created'. */
  notify: (_name, _detail) => undefined,
};

export function configureApp(settings) {
  Object.assign(appContext, settings);
}
