// Built once into static HTML and precached by the service worker: the page it answers with
// when a navigation reaches neither the network nor the offline copy of a page.
export const prerender = true;
