#pragma once
// The live dialplan, in SQLite in the data directory. A save replaces the
// whole plan in one transaction, so a reader (the gateway reloading) sees
// the old plan or the new one, never half of each; a failed save leaves the
// old plan as it was. The caller validates before saving.

#include <memory>
#include <string>

#include "dialplan/plan.hpp"

namespace gw::sqlite {
class Database;
}

namespace gw::dialplan {

class PlanStore {
 public:
  // Opens or creates the database and its schema. Throws std::runtime_error
  // "plan store PATH: ..." when it cannot.
  explicit PlanStore(const std::string& path);
  PlanStore(const PlanStore&) = delete;
  PlanStore& operator=(const PlanStore&) = delete;
  ~PlanStore();

  // True until a plan (even an empty one) has been saved.
  [[nodiscard]] bool empty() const;
  [[nodiscard]] Plan load() const;
  // The plan was written by a release without a trust list and has not been
  // saved since: it trusts only the peers its routes and trunks name, which
  // the gateway says loudly.
  [[nodiscard]] bool trust_migrated() const;
  void save(const Plan& plan);

 private:
  // Brings a store written by an older sipgw to this schema.
  void migrate();
  std::string path_;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace gw::dialplan
