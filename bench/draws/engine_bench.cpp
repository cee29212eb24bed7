// The cw-draw-v1 engine alone, on a synthetic directory held in memory:
//   cw_draw_engine_bench [candidates] [inspectors] [departments] [per_entity] [basis_points] [required_departments]
// Defaults: 1,000,000 candidates, 10,000 inspectors in 4 departments, 2 per entity from 1 department, 5%.
// Prints one JSON line per phase so bench/draws/run.sh can collect them.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cw/draws/algorithm.hpp"

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cw::draws;
  auto arg = [&](int i, long fallback) { return argc > i ? std::atol(argv[i]) : fallback; };
  long candidates = arg(1, 1000000);
  long inspectorCount = arg(2, 10000);
  long departments = arg(3, 4);
  int perEntity = static_cast<int>(arg(4, 2));
  long basisPoints = arg(5, 500);
  long requiredDepartments = arg(6, 1);
  const char* codes[] = {"MZ", "WJ", "XF", "SJ", "ZJ", "JY", "GA", "CZ"};
  const char* grades[] = {"A", "B", "C", "D"};
  const char* kinds[] = {"elderly_institution", "community_elderly_facility", "childcare_institution",
                         "community_childcare_point"};

  auto t0 = std::chrono::steady_clock::now();
  std::vector<PoolLine> pool;
  pool.reserve(static_cast<std::size_t>(candidates));
  for (long i = 0; i < candidates; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "52%06ldMJ%08ld", 360401 + i % 13, i);
    std::string stratum = std::to_string(360401 + i % 13) + "|" + kinds[(i / 13) % 4] + "|" + grades[(i / 7) % 4];
    pool.push_back({stratum, id});
  }
  std::vector<InspectorLine> inspectors;
  for (long i = 0; i < inspectorCount; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "I%06ld", i);
    inspectors.push_back({id, codes[i % departments]});
  }
  // Three exclusions per candidate on average for 1 in 10 candidates (jurisdiction, declarations, rotation).
  std::vector<ExclusionLine> exclusions;
  for (long i = 0; i < candidates; i += 10) {
    for (long k = 0; k < 3; ++k) {
      exclusions.push_back({pool[static_cast<std::size_t>(i)].entityId,
                            inspectors[static_cast<std::size_t>((i * 7 + k * 131) % inspectorCount)].inspectorId,
                            kExclusionReasons[static_cast<std::size_t>(k)]});
    }
  }
  FrozenFiles files{renderPool(pool), renderInspectors(inspectors), renderExclusions(exclusions)};
  std::printf("{\"phase\":\"render\",\"seconds\":%.3f,\"pool_bytes\":%zu}\n", secondsSince(t0), files.pool.size());

  DrawParams params;
  params.secret = std::string(32, '\x5a');
  params.beaconValue = "bench";
  std::map<std::string, std::int64_t> population;
  for (const auto& p : pool) ++population[p.stratum];
  std::int64_t drawn = 0;
  for (const auto& [key, n] : population) {
    params.counts[key] = countForRatio(basisPoints, n);
    drawn += params.counts[key];
  }
  for (long d = 0; d < requiredDepartments; ++d) params.requirements.push_back({codes[d], perEntity});
  params.capSlack = 1;

  auto t1 = std::chrono::steady_clock::now();
  auto outcome = runDraw(files, params);
  double engine = secondsSince(t1);
  if (!outcome) {
    std::fprintf(stderr, "draw failed: %s\n", outcome.error().message.c_str());
    return 1;
  }
  std::printf("{\"phase\":\"engine\",\"seconds\":%.3f,\"candidates\":%ld,\"inspectors\":%ld,\"departments\":%ld,"
              "\"required_departments\":%ld,\"per_entity\":%d,\"selected\":%zu,\"expected\":%lld,"
              "\"inspector_macs\":%lld}\n",
              engine, candidates, inspectorCount, departments, requiredDepartments, perEntity,
              outcome->selected.size(), static_cast<long long>(drawn),
              static_cast<long long>(drawn) * requiredDepartments * (inspectorCount / departments));
  return 0;
}
