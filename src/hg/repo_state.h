// Native readers for the small text files in which hg keeps bookmarks
// (.hg/bookmarks: "<hex> <name>") and phase roots (.hg/store/phaseroots:
// "<phase> <hex>"). Used to diff a repository before and after a transaction.
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace hgc {

// name -> hex node
std::map<std::string, std::string> ReadBookmarks(const std::string& repo_root);
std::map<std::string, std::string> ParseBookmarks(const std::string& text);

// phase number -> set of root hex nodes
std::map<int, std::set<std::string>> ReadPhaseRoots(const std::string& repo_root);
std::map<int, std::set<std::string>> ParsePhaseRoots(const std::string& text);

std::string ReadFileOrEmpty(const std::string& path);
// Whether WriteFileAtomic makes the content durable before the rename.
// kDurable fsyncs it (~1 ms on this disk): state that must survive a crash.
// kVolatile skips that, for files whose loss in a crash loses nothing (the
// hooks' per-transaction scratch files: hg rolls the transaction back, and
// the next push cleans up after it); readers still see old or new content
// whole, never a part.
enum class FileSync { kDurable, kVolatile };

// Writes via a temporary file and a rename.
void WriteFileAtomic(const std::string& path, const std::string& content,
                     FileSync sync = FileSync::kDurable);

}  // namespace hgc
