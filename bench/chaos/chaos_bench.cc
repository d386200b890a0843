// The long seeded fault campaign (tests/chaos.h): many repositories, many
// pushes, many faults, on a fresh local cluster. Prints the campaign's
// summary; exits 1 if anything differs at the end. Results go to
// docs/benchmarks.md with the command line that produced them.
//
//   build/chaos_bench --seed 7 --repos 50 --steps 600 --concurrency 4 --faults 200
#include <CLI/CLI.hpp>
#include <iostream>

#include "chaos.h"

int main(int argc, char** argv) {
  CLI::App app{"seeded fault campaign on a local cluster"};
  hgc::test::ChaosOptions o;
  int timeout = 600;
  app.add_option("--seed", o.seed)->capture_default_str();
  app.add_option("--repos", o.repos, "repositories at the start")->capture_default_str();
  app.add_option("--steps", o.steps, "batches of concurrent operations")->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "operations per batch")->capture_default_str();
  app.add_option("--faults", o.faults, "faults, at most one per batch")->capture_default_str();
  app.add_option("--mirrors", o.mirrors)->capture_default_str();
  app.add_option("--converge-timeout", timeout, "seconds")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  o.converge_timeout = std::chrono::seconds(timeout);
  auto report = hgc::test::RunChaos(o, std::cout);
  std::cout << report.Summary();
  return report.differences.empty() ? 0 : 1;
}
