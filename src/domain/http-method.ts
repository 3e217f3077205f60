// The methods a subscription may deliver with (the spec's POST or PUT); declared once for the API's
// validator, the database rows, the HTTP attempt and the portal's form.
export const HTTP_METHODS = ['POST', 'PUT'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
