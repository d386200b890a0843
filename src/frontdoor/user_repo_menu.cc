#include "frontdoor/user_repo_menu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "common/html_escape.h"
#include "common/subprocess.h"
#include "frontdoor/user_repos.h"
#include "hg/repo_state.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

// Thrown to end the session: 0 = the user chose Exit/No, else an error.
struct MenuExit {
  int status;
};

// The reference's prompt: blank line, "0) Exit.", numbered options, blank
// line, the question; re-asks on bad input; EOF ends the session.
size_t Prompt(std::istream& in, const std::string& question,
              const std::vector<std::string>& options, bool periods = true) {
  while (true) {
    std::cout << "\n0) Exit.\n";
    for (size_t i = 0; i < options.size(); ++i) {
      std::cout << i + 1 << ") " << options[i] << (periods ? "." : "") << "\n";
    }
    std::cout << "\n" << question << " " << std::flush;
    std::string line;
    if (!std::getline(in, line)) {
      std::cout << "\n";
      throw MenuExit{1};
    }
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty() || !std::all_of(line.begin(), line.end(), ::isdigit) || line.size() > 6) {
      std::cerr << "Please select the number corresponding to the option\n";
      continue;
    }
    size_t choice = std::stoul(line);
    if (choice == 0) throw MenuExit{0};
    if (choice > options.size()) {
      std::cerr << "Please select one of the presented options\n";
      continue;
    }
    return choice;
  }
}

void Proceed(std::istream& in) {
  if (Prompt(in, "Proceed?", {"Yes", "No"}) != 1) throw MenuExit{0};
}

void EditHgrc(const FrontdoorConfig& c, const std::string& repo, const std::string& section,
              const std::string& key, const std::optional<std::string>& value) {
  std::string path = repo + "/.hg/hgrc";
  WriteFileAtomic(path, SetHgrcValue(ReadFileOrEmpty(path), section, key, value));
  ReplicateUserRepo(c, repo, "hgrc");
}

// Public repositories 1 or 2 levels deep, outside users/, sorted.
std::vector<std::string> PublicRepos(const std::string& root) {
  std::vector<std::string> repos;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_directory()) continue;
    std::string rel = fs::relative(it->path(), root).string();
    if (rel.rfind("users", 0) == 0 || it.depth() > 1) {
      it.disable_recursion_pending();
      continue;
    }
    if (fs::exists(it->path() / ".hg")) {
      repos.push_back(rel);
      it.disable_recursion_pending();
    }
  }
  std::sort(repos.begin(), repos.end());
  return repos;
}

template <typename F>
int Menu(F&& f) {
  try {
    return f();
  } catch (const MenuExit& e) {
    return e.status;
  }
}

}  // namespace

std::string SetHgrcValue(const std::string& text, const std::string& section,
                         const std::string& key, const std::optional<std::string>& value) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    return s;
  };
  std::string current;
  int section_end = -1;  // index after the last line of the wanted section
  bool done = false;
  std::vector<std::string> out;
  for (const auto& l : lines) {
    std::string t = trim(l);
    if (!t.empty() && t.front() == '[' && t.back() == ']') {
      current = t.substr(1, t.size() - 2);
    } else if (current == section && t.find('=') != std::string::npos &&
               trim(t.substr(0, t.find('='))) == key) {
      if (value && !done) out.push_back(key + " = " + *value);
      done = true;
      continue;
    }
    out.push_back(l);
    if (current == section && !t.empty()) section_end = static_cast<int>(out.size());
  }
  if (value && !done) {
    if (section_end >= 0) {
      out.insert(out.begin() + section_end, key + " = " + *value);
    } else {
      if (!out.empty() && !trim(out.back()).empty()) out.push_back("");
      out.push_back("[" + section + "]");
      out.push_back(key + " = " + *value);
    }
  }
  std::string result;
  for (const auto& l : out) result += l + "\n";
  return result;
}

int UserRepoCloneMenu(const FrontdoorConfig& c, const std::string& user, const std::string& name,
                      std::istream& in) {
  return Menu([&] {
    std::string dir = UserRepoDir(user);
    std::cout << fmt::format(
        "Making repo {0} for {1}.\n\n"
        "This repo will appear as {2}/users/{3}/{0}.\n\n"
        "If you need a top level repo, please quit now and file a\n"
        "Developer Services :: hg.mozilla.org bug at\n"
        "https://bugzilla.mozilla.org/enter_bug.cgi?product=Developer%20Services&component="
        "Mercurial%3A%20hg.mozilla.org\n",
        name, user, c.hostname, dir);
    Proceed(in);
    std::cout << "You can clone an existing public repo or create an empty repo.\n";
    size_t source = Prompt(
        in, "Source repository:", {"Clone a public repository", "Create an empty repository"});
    if (source == 1) {
      std::vector<std::string> repos = PublicRepos(c.repos);
      std::cout << "List of available public repos\n";
      size_t pick = Prompt(in, "Pick a source repo:", repos, /*periods=*/false);
      std::cout << fmt::format("About to clone /{} to /users/{}/{}\n", repos[pick - 1], dir, name);
      Proceed(in);
      std::cout << "Please do not interrupt this operation.\n";
      return UserRepoClone(c, user, name, repos[pick - 1]);
    }
    std::cout << fmt::format("About to create an empty repository at /users/{}/{}\n", dir, name);
    Proceed(in);
    return UserRepoCreateEmpty(c, user, name);
  });
}

int UserRepoEditMenu(const FrontdoorConfig& c, const std::string& user, const std::string& name,
                     std::istream& in) {
  return Menu([&] {
    std::string dir = UserRepoDir(user);
    std::string path = fmt::format("{}/users/{}/{}", c.repos, dir, name);
    std::cout << fmt::format("Editing repo https://{}/{}/{}\n", c.hostname, dir, name);
    size_t action =
        Prompt(in, "What would you like to do?",
               {"Delete the repository", "Edit the description",
                "Mark repository as non-publishing", "Mark repository as publishing",
                "Enable obsolescence support (experimental)", "Disable obsolescence support"});
    auto missing = [&] {
      std::cout << fmt::format("Could not find repository at users/{}/{}.\n", dir, name);
      return 1;
    };
    switch (action) {
      case 1:
        if (!fs::exists(path)) return UserRepoDelete(c, user, name, /*header=*/false);
        std::cout << fmt::format("\nAre you sure you want to delete /users/{}/{}?\n", dir, name)
                  << "\nThis action is IRREVERSIBLE.\n";
        Proceed(in);
        return UserRepoDelete(c, user, name, /*header=*/false);
      case 2: {
        std::cout << fmt::format(
            "You are about to edit the description for {}/users/{}/{}.\n\n"
            "If you need to edit the description for a top level repo, please quit now\n"
            "and file a Developer Services :: hg.mozilla.org bug.\n",
            c.hostname, dir, name);
        Proceed(in);
        if (!fs::exists(path + "/.hg")) return missing();
        std::cout << "Enter a one line descripton for the repository: " << std::flush;
        std::string line;
        std::getline(in, line);
        line = line.substr(0, line.find_first_of("\r\n\v\f"));
        if (line.empty()) return 0;
        for (unsigned char ch : line) {
          if (ch < 0x20 || ch == 0x7f) {
            std::cout << "\nDescription must contain only printable characters.\n";
            return 1;
          }
        }
        EditHgrc(c, path, "web", "description", HtmlEscape(line, "&#x27;"));
        return 0;
      }
      case 3:
      case 4:
        if (!fs::exists(path + "/.hg")) return missing();
        EditHgrc(c, path, "phases", "publish", action == 4 ? "True" : "False");
        std::cerr << (action == 4 ? "Repository marked as publishing: changesets will change to "
                                    "public phase when pushed.\n"
                                  : "Repository marked as non-publishing: draft changesets will "
                                    "remain in the draft phase when pushed.\n");
        return 0;
      default:
        if (!fs::exists(path + "/.hg")) return missing();
        if (action == 5) {
          EditHgrc(c, path, "experimental", "evolution", "true");
          std::cout << "Obsolescence is now enabled for this repository.\n\n"
                       "Obsolescence is currently an experimental feature. It may be disabled\n"
                       "at any time. Your obsolescence data may be lost at any time.\n"
                       "You have been warned.\n";
        } else {
          EditHgrc(c, path, "experimental", "evolution", std::nullopt);
          std::cout << "Obsolescence is now disabled for this repo.\n";
        }
        return 0;
    }
  });
}

}  // namespace hgc
