// What a mirror's web front answers to hg's `clonebundles` wire command when
// it serves the clone bundle files itself (web.ini `bundles_advertised_as`):
// the repository's .hg/clonebundles.manifest with the URLs under the base the
// generator wrote (one mirror's address, replicated to every mirror) moved to
// this front's own /bundles/, so that a client of a mirror fetches bundles
// from that mirror and no other mirror needs to be up. Other lines (a CDN,
// S3) are left as they are.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hgc {

// Whether a wire command name asks for the manifest (hg 6.3 says
// `clonebundles`; later clients may say `clonebundles_manifest`).
bool IsCloneBundlesCommand(std::string_view cmd);

// `manifest` with every URL that starts with `from` + "/" starting with `to`
// + "/" instead. `from` and `to` without a trailing slash. A line is
// "URL ATTR=VALUE ..."; only its first field changes.
std::string RebaseCloneBundlesManifest(const std::string& manifest, std::string_view from,
                                       std::string_view to);

}  // namespace hgc
