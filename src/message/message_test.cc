// DecodeMessage / EncodeMessage / builders: every type of spec §1.2 and §1.3,
// the failure modes, and that no input can crash the decoder.
#include "message/message.h"

#include <gtest/gtest.h>

#include <random>

#include "common/error.h"

namespace hgc {
namespace {

using nlohmann::json;

const std::string kNode1 = "77538e1ce4bec5f7aac58a7ceca2da0e38e90a72";
const std::string kNode2 = "4c9443886fe8a3b8d2cbbc5d30e0d3cf2f0e5b27";

Message Decode(const std::string& json_text) { return DecodeMessage("1\n" + json_text); }

// The kind and message of the Error a decode throws.
std::pair<ErrorKind, std::string> DecodeError(std::string_view value) {
  try {
    DecodeMessage(value);
  } catch (const Error& e) {
    return {e.kind(), e.what()};
  }
  ADD_FAILURE() << "no error for " << value;
  return {ErrorKind::kIo, ""};
}

TEST(DecodeMessageTest, Heartbeat) {
  Message m = Decode(R"({"_created": 1700000000.5, "name": "heartbeat-1"})");
  EXPECT_EQ(m.type, MessageType::kHeartbeat);
  EXPECT_EQ(m.name, "heartbeat-1");
  EXPECT_DOUBLE_EQ(m.created, 1700000000.5);
  EXPECT_EQ(m.path, "");
}

TEST(DecodeMessageTest, MissingCreatedIsZeroAndIntegerCreatedAccepted) {
  EXPECT_EQ(Decode(R"({"name": "heartbeat-1"})").created, 0);
  EXPECT_EQ(Decode(R"({"name": "heartbeat-1", "_created": 12})").created, 12);
}

TEST(DecodeMessageTest, RepoInitBothVersions) {
  Message v2 = Decode(R"({"name": "hg-repo-init-2", "path": "{moz}/a", "generaldelta": true})");
  EXPECT_EQ(v2.type, MessageType::kRepoInit);
  EXPECT_EQ(v2.path, "{moz}/a");
  EXPECT_TRUE(v2.generaldelta);
  Message v1 = Decode(R"({"name": "hg-repo-init-1", "path": "{moz}/a"})");
  EXPECT_EQ(v1.type, MessageType::kRepoInit);
  EXPECT_FALSE(v1.generaldelta);
}

TEST(DecodeMessageTest, HgrcUpdateContentOrNull) {
  Message m = Decode(R"({"name": "hg-hgrc-update-1", "path": "p", "content": "[hooks]\n"})");
  EXPECT_EQ(m.type, MessageType::kHgrcUpdate);
  ASSERT_TRUE(m.hgrc.has_value());
  EXPECT_EQ(*m.hgrc, "[hooks]\n");
  EXPECT_FALSE(Decode(R"({"name": "hg-hgrc-update-1", "path": "p", "content": null})").hgrc);
}

TEST(DecodeMessageTest, ChangegroupBothVersions) {
  Message v2 = Decode(R"({"name": "hg-changegroup-2", "path": "p", "source": "serve",)"
                      R"( "nodecount": 4, "heads": [")" +
                      kNode1 + R"(", ")" + kNode2 + R"("]})");
  EXPECT_EQ(v2.type, MessageType::kChangegroup);
  EXPECT_EQ(v2.source, "serve");
  EXPECT_EQ(v2.nodecount, 4);
  EXPECT_EQ(v2.heads, (std::vector<std::string>{kNode1, kNode2}));
  Message v1 = Decode(R"({"name": "hg-changegroup-1", "path": "p", "source": "push",)"
                      R"( "nodes": ["a", "b", "c"], "heads": ["c"]})");
  EXPECT_EQ(v1.type, MessageType::kChangegroup);
  EXPECT_EQ(v1.nodecount, 3);
  EXPECT_EQ(v1.heads, std::vector<std::string>{"c"});
}

TEST(DecodeMessageTest, PushkeyRetIntOrBool) {
  const std::string base =
      R"({"name": "hg-pushkey-1", "path": "p", "namespace": "bookmarks", "key": "my-bookmark",)"
      R"( "old": "", "new": ")" +
      kNode1 + R"(", "ret": )";
  Message m = Decode(base + "0}");
  EXPECT_EQ(m.type, MessageType::kPushkey);
  EXPECT_EQ(m.ns, "bookmarks");
  EXPECT_EQ(m.key, "my-bookmark");
  EXPECT_EQ(m.old_value, "");
  EXPECT_EQ(m.new_value, kNode1);
  EXPECT_EQ(m.ret, 0);
  EXPECT_EQ(Decode(base + "1}").ret, 1);
  EXPECT_EQ(Decode(base + "true}").ret, 0);
  EXPECT_EQ(Decode(base + "false}").ret, 1);
  EXPECT_EQ(DecodeError("1\n" + base + "\"0\"}").first, ErrorKind::kMalformed);
  EXPECT_EQ(DecodeError("1\n" + base + "99999999999}").first, ErrorKind::kMalformed);
}

TEST(DecodeMessageTest, RepoSyncCloneBundlesManifest) {
  const std::string base = R"({"name": "hg-repo-sync-2", "path": "p", "requirements": [],)"
                           R"( "hgrc": null, "heads": [], "bootstrap": false)";
  Message absent = Decode(base + "}");
  EXPECT_FALSE(absent.has_clonebundles_manifest);
  Message deleted = Decode(base + R"(, "clonebundles_manifest": null})");
  EXPECT_TRUE(deleted.has_clonebundles_manifest);
  EXPECT_FALSE(deleted.clonebundles_manifest);
  Message written = Decode(base + R"(, "clonebundles_manifest": "http://m/b BUNDLESPEC=gzip-v2"})");
  EXPECT_TRUE(written.has_clonebundles_manifest);
  EXPECT_EQ(written.clonebundles_manifest, "http://m/b BUNDLESPEC=gzip-v2");
  EXPECT_EQ(DecodeError("1\n" + base + R"(, "clonebundles_manifest": 3})").first,
            ErrorKind::kMalformed);
}

TEST(DecodeMessageTest, RepoSyncBothVersions) {
  Message v2 = Decode(R"({"name": "hg-repo-sync-2", "path": "p", "requirements": ["a", "b"],)"
                      R"( "hgrc": null, "heads": ["0000"], "bootstrap": true})");
  EXPECT_EQ(v2.type, MessageType::kRepoSync);
  EXPECT_EQ(v2.requirements, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(v2.hgrc);
  EXPECT_TRUE(v2.bootstrap);
  Message v1 = Decode(R"({"name": "hg-repo-sync-1", "path": "p", "requirements": [],)"
                      R"( "hgrc": "x", "heads": []})");
  EXPECT_EQ(v1.type, MessageType::kRepoSync);
  EXPECT_EQ(v1.hgrc, "x");
  EXPECT_FALSE(v1.bootstrap);
}

TEST(DecodeMessageTest, HeadsWithAndWithoutPushId) {
  Message m = Decode(R"({"name": "hg-heads-1", "path": "p", "heads": ["a"], "last_push_id": 7})");
  EXPECT_EQ(m.type, MessageType::kHeads);
  EXPECT_EQ(m.last_push_id, 7);
  EXPECT_FALSE(Decode(R"({"name": "hg-heads-1", "path": "p", "heads": [], "last_push_id": null})")
                   .last_push_id);
}

TEST(DecodeMessageTest, RepoDeleteAndExtraFieldsKept) {
  Message m = Decode(R"({"name": "hg-repo-delete-1", "path": "p", "_original_partition": 2})");
  EXPECT_EQ(m.type, MessageType::kRepoDelete);
  EXPECT_EQ(m.body["_original_partition"], 2);
}

TEST(DecodeMessageTest, RepoVerifyNeedsADigestObject) {
  json digest = {{"heads", json::array({kNode1})}, {"last_push_id", 3}};
  Message m = DecodeMessage(EncodeMessage(MakeRepoVerify("p", digest, 5.0)));
  EXPECT_EQ(m.type, MessageType::kRepoVerify);
  EXPECT_EQ(m.path, "p");
  EXPECT_EQ(m.digest, digest);
  auto [kind, what] = DecodeError("1\n" + std::string(R"({"name": "hg-repo-verify-1", "path": "p"})"));
  EXPECT_EQ(kind, ErrorKind::kMalformed);
  EXPECT_NE(what.find("'digest'"), std::string::npos) << what;
  EXPECT_EQ(
      DecodeError("1\n" + std::string(R"({"name": "hg-repo-verify-1", "path": "p", "digest": 1})"))
          .first,
      ErrorKind::kMalformed);
}

TEST(DecodeMessageTest, RejectsUnframedPayloadShowingItsStart) {
  auto [kind, what] = DecodeError(std::string("2\n{\"name\": \"x\"}\x01\xff", 17));
  EXPECT_EQ(kind, ErrorKind::kMalformed);
  EXPECT_NE(what.find("unrecognized message payload"), std::string::npos) << what;
  EXPECT_NE(what.find(R"("2\n{\"name\": \"x\"}\x01\xff")"), std::string::npos) << what;
  EXPECT_EQ(DecodeError("").first, ErrorKind::kMalformed);
  EXPECT_EQ(DecodeError("1").first, ErrorKind::kMalformed);
  // Long payloads are cut in the message.
  auto [k2, long_what] = DecodeError(std::string(1000, 'x'));
  EXPECT_NE(long_what.find(std::string(32, 'x') + "\"..."), std::string::npos) << long_what;
  EXPECT_EQ(long_what.find(std::string(33, 'x')), std::string::npos);
}

TEST(DecodeMessageTest, RejectsBadJsonAndNonObjects) {
  auto [kind, what] = DecodeError("1\n{\"name\": ");
  EXPECT_EQ(kind, ErrorKind::kMalformed);
  EXPECT_NE(what.find("parse error"), std::string::npos) << what;
  EXPECT_NE(DecodeError("1\n[1, 2]").second.find("expected a JSON object, got array"),
            std::string::npos);
  EXPECT_NE(DecodeError("1\n{\"name\": 5}").second.find("\"name\""), std::string::npos);
  EXPECT_EQ(DecodeError("1\n{}").first, ErrorKind::kMalformed);
  EXPECT_EQ(DecodeError("1\n{\"name\": \"heartbeat-1\"} x").first, ErrorKind::kMalformed);
}

TEST(DecodeMessageTest, UnknownNameIsItsOwnKind) {
  auto [kind, what] = DecodeError(R"(1
{"name": "hg-frobnicate-3", "path": "p"})");
  EXPECT_EQ(kind, ErrorKind::kUnknownMessage);
  EXPECT_NE(what.find("unrecognized message type: hg-frobnicate-3"), std::string::npos) << what;
}

TEST(DecodeMessageTest, MissingOrMistypedFieldsNamed) {
  auto [kind, what] = DecodeError(R"(1
{"name": "hg-changegroup-2", "path": "p", "source": "serve", "heads": []})");
  EXPECT_EQ(kind, ErrorKind::kMalformed);
  EXPECT_NE(what.find("hg-changegroup-2"), std::string::npos) << what;
  EXPECT_NE(what.find("\"nodecount\" is missing"), std::string::npos) << what;

  what = DecodeError(R"(1
{"name": "hg-heads-1", "path": "p", "heads": ["a", 3], "last_push_id": 1})")
             .second;
  EXPECT_NE(what.find("\"heads\" must be a list of strings, but item 1 is a number"),
            std::string::npos)
      << what;
  what = DecodeError(R"(1
{"name": "hg-repo-init-2", "path": 1, "generaldelta": true})")
             .second;
  EXPECT_NE(what.find("\"path\" must be a string, got number"), std::string::npos) << what;
  what = DecodeError(R"(1
{"name": "hg-heads-1", "path": "p", "heads": [], "last_push_id": "7"})")
             .second;
  EXPECT_NE(what.find("\"last_push_id\" must be an integer or null"), std::string::npos) << what;
  EXPECT_EQ(DecodeError(R"(1
{"name": "heartbeat-1", "_created": "now"})")
                .first,
            ErrorKind::kMalformed);
  EXPECT_EQ(DecodeError(R"(1
{"name": "hg-repo-sync-2", "path": "p", "requirements": [], "hgrc": 5, "heads": [],)"
                        R"( "bootstrap": false})")
                .first,
            ErrorKind::kMalformed);
}

TEST(DecodeMessageTest, DeepNestingRejectedNotRecursedInto) {
  const std::string deep = "1\n{\"name\": \"heartbeat-1\", \"x\": " + std::string(100000, '[') +
                           std::string(100000, ']') + "}";
  EXPECT_EQ(DecodeError(deep).first, ErrorKind::kMalformed);
  // Brackets inside strings do not count.
  EXPECT_EQ(Decode("{\"name\": \"heartbeat-1\", \"x\": \"" + std::string(1000, '[') + "\"}").name,
            "heartbeat-1");
}

// Random bytes, truncations and byte flips of valid messages: every outcome
// is a Message or an hgc::Error, never a crash or another exception.
TEST(DecodeMessageTest, NeverCrashesOnArbitraryInput) {
  const std::vector<std::string> valid = {
      EncodeMessage(MakeChangegroup("{moz}/a", "serve", 2, {kNode1, kNode2}, 1.5)),
      EncodeMessage(MakePushkey("{moz}/a", "phases", kNode1, "1", "0", 0, 2.5)),
      EncodeMessage(
          MakeRepoSync("{moz}/a", {"store"}, "[x]\ny = \xe3\x81\x93\n", {kNode1}, false, 3.5)),
      EncodeMessage(MakeHeads("{moz}/a", {kNode1}, 4, 4.5)),
  };
  std::mt19937 rng(12345);
  auto attempt = [](const std::string& value) {
    try {
      Message m = DecodeMessage(value);
      (void)DisplayMessage(m);
      (void)DumpYaml({m.body});
    } catch (const Error&) {
    }
  };
  for (const auto& v : valid) {
    for (size_t len = 0; len <= v.size(); ++len) attempt(v.substr(0, len));
    for (int i = 0; i < 2000; ++i) {
      std::string mutated = v;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        mutated[rng() % mutated.size()] = static_cast<char>(rng() % 256);
      }
      attempt(mutated);
    }
  }
  for (int i = 0; i < 5000; ++i) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng() % 256);
    attempt(junk);
    attempt("1\n" + junk);
  }
}

TEST(BuildersTest, ExactlyTheSpecFields) {
  auto keys = [](const json& j) {
    std::vector<std::string> out;
    for (const auto& [k, v] : j.items()) out.push_back(k);
    return out;
  };
  using Keys = std::vector<std::string>;
  EXPECT_EQ(keys(MakeHeartbeat(1)), (Keys{"_created", "name"}));
  EXPECT_EQ(keys(MakeRepoInit("p", true, 1)), (Keys{"_created", "generaldelta", "name", "path"}));
  EXPECT_EQ(keys(MakeHgrcUpdate("p", std::nullopt, 1)),
            (Keys{"_created", "content", "name", "path"}));
  EXPECT_EQ(keys(MakeChangegroup("p", "serve", 1, {"a"}, 1)),
            (Keys{"_created", "heads", "name", "nodecount", "path", "source"}));
  EXPECT_EQ(keys(MakePushkey("p", "ns", "k", "o", "n", 0, 1)),
            (Keys{"_created", "key", "name", "namespace", "new", "old", "path", "ret"}));
  EXPECT_EQ(keys(MakeRepoSync("p", {}, std::nullopt, {}, false, 1)),
            (Keys{"_created", "bootstrap", "heads", "hgrc", "name", "path", "requirements"}));
  EXPECT_EQ(keys(MakeHeads("p", {}, std::nullopt, 1)),
            (Keys{"_created", "heads", "last_push_id", "name", "path"}));
  EXPECT_EQ(keys(MakeRepoDelete("p", 1)), (Keys{"_created", "name", "path"}));
}

TEST(BuildersTest, ValuesAndRoundTrip) {
  EXPECT_EQ(EncodeMessage(MakeHeartbeat(1700000000.0)),
            "1\n{\"_created\": 1700000000.0, \"name\": \"heartbeat-1\"}");
  EXPECT_EQ(EncodeMessage(MakeHgrcUpdate("{moz}/a", std::nullopt, 2)),
            "1\n{\"_created\": 2.0, \"content\": null, \"name\": \"hg-hgrc-update-1\", "
            "\"path\": \"{moz}/a\"}");
  const json sync = MakeRepoSync("{moz}/a", {"store", "fncache", "dotencode"}, "[hooks]\n",
                                 {"0000000000000000000000000000000000000000"}, true, 3);
  EXPECT_EQ(sync["requirements"], json({"dotencode", "fncache", "store"}));
  Message m = DecodeMessage(EncodeMessage(sync));
  EXPECT_EQ(m.name, "hg-repo-sync-2");
  EXPECT_TRUE(m.bootstrap);
  EXPECT_EQ(m.hgrc, "[hooks]\n");
  Message p =
      DecodeMessage(EncodeMessage(MakePushkey("{moz}/a", "obsolete", "dump0", "", "0096", 1, 4)));
  EXPECT_EQ(p.ns, "obsolete");
  EXPECT_EQ(p.ret, 1);
  EXPECT_EQ(DecodeMessage(EncodeMessage(MakeHeads("p", {"a"}, 0, 1))).last_push_id, 0);
}

}  // namespace
}  // namespace hgc
