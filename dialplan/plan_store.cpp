#include "dialplan/plan_store.hpp"

#include "drivers/sqlite/sqlite_db.hpp"

#include <charconv>
#include <stdexcept>
#include <system_error>

namespace gw::dialplan {
namespace {

using sqlite::Statement;

// One table per kind, one column per field; position columns keep the
// order people wrote. Small lists (spans, SIP peers, fail-over causes) are
// text joined with ',' — validate() keeps commas out of their items.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trunks (
  position INTEGER NOT NULL, name TEXT PRIMARY KEY, backend TEXT NOT NULL, spans TEXT NOT NULL,
  switchtype TEXT NOT NULL, side TEXT NOT NULL, law TEXT NOT NULL, channels TEXT NOT NULL,
  called_ton TEXT NOT NULL, calling_ton TEXT NOT NULL, calling_npi TEXT NOT NULL,
  sip_peers TEXT NOT NULL, private_context TEXT NOT NULL DEFAULT '',
  public_context TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS trunk_groups (
  position INTEGER NOT NULL, name TEXT PRIMARY KEY, hunting TEXT NOT NULL,
  channel_limit INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS trunk_group_members (
  trunk_group TEXT NOT NULL, position INTEGER NOT NULL, trunk TEXT NOT NULL,
  PRIMARY KEY (trunk_group, position));
CREATE TABLE IF NOT EXISTS routes (
  position INTEGER NOT NULL, name TEXT PRIMARY KEY,
  phone_context TEXT NOT NULL, number_prefix TEXT NOT NULL, number_length INTEGER,
  number_regex TEXT NOT NULL, caller_prefix TEXT NOT NULL, source TEXT NOT NULL,
  priority INTEGER NOT NULL, failover_causes TEXT NOT NULL,
  called_strip INTEGER NOT NULL, called_prepend TEXT NOT NULL, called_replace TEXT NOT NULL,
  called_with TEXT NOT NULL, called_ton TEXT, called_npi TEXT,
  calling_strip INTEGER NOT NULL, calling_prepend TEXT NOT NULL, calling_replace TEXT NOT NULL,
  calling_with TEXT NOT NULL, calling_ton TEXT, calling_npi TEXT,
  presentation TEXT NOT NULL, sip_peers TEXT NOT NULL DEFAULT '', account TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS route_groups (
  route TEXT NOT NULL, position INTEGER NOT NULL, trunk_group TEXT NOT NULL,
  PRIMARY KEY (route, position));
CREATE TABLE IF NOT EXISTS screening (
  list TEXT NOT NULL CHECK (list IN ('caller', 'destination')), position INTEGER NOT NULL,
  number TEXT NOT NULL, PRIMARY KEY (list, position));
CREATE TABLE IF NOT EXISTS registrations (
  position INTEGER NOT NULL, name TEXT PRIMARY KEY, registrar TEXT NOT NULL, user TEXT NOT NULL,
  auth_user TEXT NOT NULL, password TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
  position INTEGER PRIMARY KEY, realm TEXT NOT NULL, user TEXT NOT NULL, password TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trust_peers (position INTEGER PRIMARY KEY, peer TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  position INTEGER NOT NULL, name TEXT PRIMARY KEY, realm TEXT NOT NULL, ha1_md5 TEXT NOT NULL,
  ha1_sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS media_encryption_peers (peer TEXT PRIMARY KEY, mode TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '3');
)sql";

// A store written by schema 1 gains what schema 2 added, with the values
// that mean "as before".
constexpr const char* kMigrateFrom1 = R"sql(
ALTER TABLE trunks ADD COLUMN private_context TEXT NOT NULL DEFAULT '';
ALTER TABLE trunks ADD COLUMN public_context TEXT NOT NULL DEFAULT '';
ALTER TABLE routes ADD COLUMN sip_peers TEXT NOT NULL DEFAULT '';
UPDATE meta SET value = '2' WHERE key = 'schema_version';
)sql";

// Schema 3 brought the trust list and the accounts. A plan from before
// trusts nobody new: only the peers its routes and trunks name (kSchema made
// the empty tables); the gateway says so until a plan is saved again.
constexpr const char* kMigrateFrom2 = R"sql(
ALTER TABLE routes ADD COLUMN account TEXT NOT NULL DEFAULT '';
INSERT OR REPLACE INTO meta (key, value) SELECT 'trust_migrated', '1'
  WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'plan_saved');
UPDATE meta SET value = '3' WHERE key = 'schema_version';
)sql";

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ",") + item;
  return text;
}

// The inverse of join() for every list but one holding a single empty item
// (stored as "", read back as no items): no span or peer has an empty name.
std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> items;
  if (text.empty()) return items;
  std::size_t start = 0;
  for (std::size_t comma = text.find(','); comma != std::string::npos;
       comma = text.find(',', start)) {
    items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  items.push_back(text.substr(start));
  return items;
}

std::string join_numbers(const std::vector<int>& numbers) {
  std::string text;
  for (const int n : numbers) text += (text.empty() ? "" : ",") + std::to_string(n);
  return text;
}

std::vector<int> split_numbers(const std::string& text) {
  std::vector<int> numbers;
  for (const auto& item : split(text)) {
    int number = 0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), number);
    if (error != std::errc() || end != item.data() + item.size()) {
      throw std::runtime_error("failover_causes '" + text + "' is not valid");
    }
    numbers.push_back(number);
  }
  return numbers;
}

// Text read back from the store that does not parse: the file was edited by
// hand or written by another version.
template <typename Value>
Value parsed(std::optional<Value> value, const std::string& what, const std::string& text) {
  if (!value) throw std::runtime_error(what + " '" + text + "' is not valid");
  return *value;
}

[[noreturn]] void fail(const std::string& path, const std::string& doing,
                       const std::exception& error) {
  throw std::runtime_error("plan store " + path + ": " + doing + error.what());
}

}  // namespace

PlanStore::PlanStore(const std::string& path) : path_(path) {
  try {
    db_ = std::make_unique<sqlite::Database>(path, 5000,
                                             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    db_->execute(kSchema);
    migrate();
  } catch (const std::exception& error) {
    fail(path_, "", error);
  }
}

PlanStore::~PlanStore() = default;

void PlanStore::migrate() {
  Statement version(*db_, "SELECT value FROM meta WHERE key = 'schema_version'");
  const std::string found = version.next_row() ? version.text(0) : std::string();
  version.reset();
  if (found == "3") return;
  if (found != "1" && found != "2") {
    throw std::runtime_error("schema version '" + found +
                             "' is not one this sipgw knows (1, 2, 3)");
  }
  sqlite::Transaction migration(*db_);
  if (found == "1") db_->execute(kMigrateFrom1);
  db_->execute(kMigrateFrom2);
  migration.commit();
}

bool PlanStore::trust_migrated() const {
  try {
    Statement flag(*db_, "SELECT 1 FROM meta WHERE key = 'trust_migrated'");
    return flag.next_row();
  } catch (const std::exception& error) {
    fail(path_, "", error);
  }
}

bool PlanStore::empty() const {
  try {
    Statement saved(*db_, "SELECT 1 FROM meta WHERE key = 'plan_saved'");
    return !saved.next_row();
  } catch (const std::exception& error) {
    fail(path_, "", error);
  }
}

namespace {

template <typename Enum>
std::optional<std::string> optional_text(const std::optional<Enum>& value) {
  if (!value) return std::nullopt;
  return std::string(isdn::to_string(*value));
}

void save_trunks(const sqlite::Database& db, const Plan& plan) {
  Statement insert(db,
                   "INSERT INTO trunks (position, name, backend, spans, switchtype, side, law, "
                   "channels, called_ton, calling_ton, calling_npi, sip_peers, private_context, "
                   "public_context) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  int position = 0;
  for (const auto& t : plan.trunks) {
    insert.bind(1, position++)
        .bind(2, t.name)
        .bind(3, std::string(to_string(t.backend)))
        .bind(4, join(t.spans))
        .bind(5, std::string(isdn::to_string(t.switchtype)))
        .bind(6, std::string(isdn::to_string(t.side)))
        .bind(7, std::string(tdm::to_string(t.law)))
        .bind(8, t.channels)
        .bind(9, std::string(isdn::to_string(t.called_ton)))
        .bind(10, std::string(isdn::to_string(t.calling_ton)))
        .bind(11, std::string(isdn::to_string(t.calling_npi)))
        .bind(12, join(t.sip_peers))
        .bind(13, t.private_context)
        .bind(14, t.public_context)
        .run();
  }
}

void save_groups(const sqlite::Database& db, const Plan& plan) {
  Statement insert(db,
                   "INSERT INTO trunk_groups (position, name, hunting, channel_limit) "
                   "VALUES (?1, ?2, ?3, ?4)");
  Statement member(db,
                   "INSERT INTO trunk_group_members (trunk_group, position, trunk) "
                   "VALUES (?1, ?2, ?3)");
  int position = 0;
  for (const auto& g : plan.trunk_groups) {
    insert.bind(1, position++)
        .bind(2, g.name)
        .bind(3, std::string(isdn::to_string(g.hunting)))
        .bind(4, g.channel_limit)
        .run();
    for (std::size_t i = 0; i < g.trunks.size(); ++i) {
      member.bind(1, g.name).bind(2, static_cast<int>(i)).bind(3, g.trunks[i]).run();
    }
  }
}

void save_routes(const sqlite::Database& db, const Plan& plan) {
  Statement insert(
      db,
      "INSERT INTO routes (position, name, phone_context, number_prefix, number_length, "
      "number_regex, caller_prefix, source, priority, failover_causes, called_strip, "
      "called_prepend, called_replace, called_with, called_ton, called_npi, calling_strip, "
      "calling_prepend, calling_replace, calling_with, calling_ton, calling_npi, presentation, "
      "sip_peers, account) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
      "?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)");
  Statement group(db,
                  "INSERT INTO route_groups (route, position, trunk_group) VALUES (?1, ?2, ?3)");
  int position = 0;
  for (const auto& r : plan.routes) {
    const RouteMatch& m = r.match;
    insert.bind(1, position++).bind(2, r.name).bind(3, m.phone_context).bind(4, m.number_prefix);
    insert.bind(5, m.number_length).bind(6, m.number_regex).bind(7, m.caller_prefix);
    insert.bind(8, m.source).bind(9, m.priority).bind(10, join_numbers(r.failover_causes));
    insert.bind(11, r.called.strip).bind(12, r.called.prepend).bind(13, r.called.replace);
    insert.bind(14, r.called.with).bind(15, optional_text(r.called_ton));
    insert.bind(16, optional_text(r.called_npi)).bind(17, r.calling.strip);
    insert.bind(18, r.calling.prepend).bind(19, r.calling.replace).bind(20, r.calling.with);
    insert.bind(21, optional_text(r.calling_ton)).bind(22, optional_text(r.calling_npi));
    insert.bind(23, std::string(to_string(r.presentation))).bind(24, join(r.sip_peers));
    insert.bind(25, m.account).run();
    for (std::size_t i = 0; i < r.trunk_groups.size(); ++i) {
      group.bind(1, r.name).bind(2, static_cast<int>(i)).bind(3, r.trunk_groups[i]).run();
    }
  }
}

void save_screening(const sqlite::Database& db, const Plan& plan) {
  Statement insert(db, "INSERT INTO screening (list, position, number) VALUES (?1, ?2, ?3)");
  const auto save = [&insert](const char* list, const std::vector<std::string>& numbers) {
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      insert.bind(1, std::string(list)).bind(2, static_cast<int>(i)).bind(3, numbers[i]).run();
    }
  };
  save("caller", plan.screening.blocked_callers);
  save("destination", plan.screening.blocked_destinations);
}

void save_registrations(const sqlite::Database& db, const Plan& plan) {
  Statement insert(db,
                   "INSERT INTO registrations (position, name, registrar, user, auth_user, "
                   "password, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  int position = 0;
  for (const auto& r : plan.registrations) {
    insert.bind(1, position++).bind(2, r.name).bind(3, r.registrar).bind(4, r.user);
    insert.bind(5, r.auth_user).bind(6, r.password).bind(7, r.expires).run();
  }
}

void save_credentials(const sqlite::Database& db, const Plan& plan) {
  Statement insert(db,
                   "INSERT INTO credentials (position, realm, user, password) "
                   "VALUES (?1, ?2, ?3, ?4)");
  int position = 0;
  for (const auto& c : plan.credentials) {
    insert.bind(1, position++).bind(2, c.realm).bind(3, c.user).bind(4, c.password).run();
  }
}

std::vector<Credential> load_credentials(const sqlite::Database& db) {
  Statement rows(db, "SELECT realm, user, password FROM credentials ORDER BY position");
  std::vector<Credential> credentials;
  while (rows.next_row()) credentials.push_back({rows.text(0), rows.text(1), rows.text(2)});
  return credentials;
}

void save_trust(const sqlite::Database& db, const Plan& plan) {
  Statement peer(db, "INSERT INTO trust_peers (position, peer) VALUES (?1, ?2)");
  int position = 0;
  for (const auto& p : plan.trust.peers) peer.bind(1, position++).bind(2, p).run();
  Statement account(db,
                    "INSERT INTO accounts (position, name, realm, ha1_md5, ha1_sha256) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)");
  position = 0;
  for (const auto& a : plan.accounts) {
    account.bind(1, position++).bind(2, a.name).bind(3, a.realm).bind(4, a.ha1_md5);
    account.bind(5, a.ha1_sha256).run();
  }
}

void load_trust(const sqlite::Database& db, Plan& plan) {
  Statement peers(db, "SELECT peer FROM trust_peers ORDER BY position");
  while (peers.next_row()) plan.trust.peers.push_back(peers.text(0));
  Statement accounts(db, "SELECT name, realm, ha1_md5, ha1_sha256 FROM accounts ORDER BY position");
  while (accounts.next_row()) {
    plan.accounts.push_back(
        {accounts.text(0), accounts.text(1), accounts.text(2), accounts.text(3)});
  }
}

std::vector<Registration> load_registrations(const sqlite::Database& db) {
  Statement rows(db,
                 "SELECT name, registrar, user, auth_user, password, expires FROM registrations "
                 "ORDER BY position");
  std::vector<Registration> registrations;
  while (rows.next_row()) {
    registrations.push_back(
        {rows.text(0), rows.text(1), rows.text(2), rows.text(3), rows.text(4), rows.number(5)});
  }
  return registrations;
}

std::vector<Trunk> load_trunks(const sqlite::Database& db) {
  Statement rows(db,
                 "SELECT name, backend, spans, switchtype, side, law, channels, called_ton, "
                 "calling_ton, calling_npi, sip_peers, private_context, public_context FROM trunks "
                 "ORDER BY position");
  std::vector<Trunk> trunks;
  while (rows.next_row()) {
    Trunk t;
    t.name = rows.text(0);
    t.backend = parsed(parse_backend(rows.text(1)), "backend", rows.text(1));
    t.spans = split(rows.text(2));
    t.switchtype = parsed(isdn::parse_switchtype(rows.text(3)), "switchtype", rows.text(3));
    t.side = parsed(isdn::parse_side(rows.text(4)), "side", rows.text(4));
    t.law = parsed(tdm::parse_law(rows.text(5)), "law", rows.text(5));
    t.channels = rows.text(6);
    t.called_ton = parsed(isdn::parse_ton(rows.text(7)), "ton", rows.text(7));
    t.calling_ton = parsed(isdn::parse_ton(rows.text(8)), "ton", rows.text(8));
    t.calling_npi = parsed(isdn::parse_npi(rows.text(9)), "npi", rows.text(9));
    t.sip_peers = split(rows.text(10));
    t.private_context = rows.text(11);
    t.public_context = rows.text(12);
    trunks.push_back(std::move(t));
  }
  return trunks;
}

std::vector<TrunkGroup> load_groups(const sqlite::Database& db) {
  Statement rows(db, "SELECT name, hunting, channel_limit FROM trunk_groups ORDER BY position");
  Statement members(db,
                    "SELECT trunk FROM trunk_group_members WHERE trunk_group = ?1 "
                    "ORDER BY position");
  std::vector<TrunkGroup> groups;
  while (rows.next_row()) {
    TrunkGroup g;
    g.name = rows.text(0);
    g.hunting = parsed(isdn::parse_hunting(rows.text(1)), "hunting", rows.text(1));
    g.channel_limit = rows.number(2);
    members.bind(1, g.name);
    while (members.next_row()) g.trunks.push_back(members.text(0));
    members.reset();
    groups.push_back(std::move(g));
  }
  return groups;
}

template <typename Enum, typename Parse>
std::optional<Enum> optional_column(const Statement& rows, int column, Parse parse,
                                    const char* what) {
  if (rows.null(column)) return std::nullopt;
  return parsed(parse(rows.text(column)), what, rows.text(column));
}

Route load_route(const Statement& rows) {
  Route r;
  r.name = rows.text(0);
  r.match.phone_context = rows.text(1);
  r.match.number_prefix = rows.text(2);
  if (!rows.null(3)) r.match.number_length = rows.number(3);
  r.match.number_regex = rows.text(4);
  r.match.caller_prefix = rows.text(5);
  r.match.source = rows.text(6);
  r.match.priority = rows.number(7);
  r.failover_causes = split_numbers(rows.text(8));
  r.called = {rows.number(9), rows.text(10), rows.text(11), rows.text(12)};
  r.called_ton = optional_column<isdn::Ton>(rows, 13, isdn::parse_ton, "ton");
  r.called_npi = optional_column<isdn::Npi>(rows, 14, isdn::parse_npi, "npi");
  r.calling = {rows.number(15), rows.text(16), rows.text(17), rows.text(18)};
  r.calling_ton = optional_column<isdn::Ton>(rows, 19, isdn::parse_ton, "ton");
  r.calling_npi = optional_column<isdn::Npi>(rows, 20, isdn::parse_npi, "npi");
  r.presentation = parsed(parse_presentation(rows.text(21)), "presentation", rows.text(21));
  r.sip_peers = split(rows.text(22));
  r.match.account = rows.text(23);
  return r;
}

std::vector<Route> load_routes(const sqlite::Database& db) {
  Statement rows(db,
                 "SELECT name, phone_context, number_prefix, number_length, number_regex, "
                 "caller_prefix, source, priority, failover_causes, called_strip, "
                 "called_prepend, called_replace, called_with, called_ton, called_npi, "
                 "calling_strip, calling_prepend, calling_replace, calling_with, calling_ton, "
                 "calling_npi, presentation, sip_peers, account FROM routes ORDER BY position");
  Statement groups(db, "SELECT trunk_group FROM route_groups WHERE route = ?1 ORDER BY position");
  std::vector<Route> routes;
  while (rows.next_row()) {
    Route r = load_route(rows);
    groups.bind(1, r.name);
    while (groups.next_row()) r.trunk_groups.push_back(groups.text(0));
    groups.reset();
    routes.push_back(std::move(r));
  }
  return routes;
}

// Plan-wide settings live in meta, a row each.
std::string load_setting(const sqlite::Database& db, const char* key) {
  Statement row(db, "SELECT value FROM meta WHERE key = ?1");
  row.bind(1, std::string(key));
  return row.next_row() ? row.text(0) : std::string();
}

void save_setting(const sqlite::Database& db, const char* key, const std::string& value) {
  Statement row(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
  row.bind(1, std::string(key)).bind(2, value).run();
}

// The default in meta ("media_encryption"; absent: none, as before SRTP),
// the peers that differ in a table of their own, made by kSchema in any
// store of schema 3 when it is opened.
void save_media_encryption(const sqlite::Database& db, const Plan& plan) {
  save_setting(db, "media_encryption", std::string(to_string(plan.media_encryption.default_mode)));
  Statement peer(db, "INSERT INTO media_encryption_peers (peer, mode) VALUES (?1, ?2)");
  for (const auto& [name, mode] : plan.media_encryption.peers) {
    peer.bind(1, name).bind(2, std::string(to_string(mode))).run();
  }
}

void load_media_encryption(const sqlite::Database& db, Plan& plan) {
  if (const std::string mode = load_setting(db, "media_encryption"); !mode.empty()) {
    plan.media_encryption.default_mode =
        parsed(parse_media_encryption(mode), "media_encryption", mode);
  }
  Statement peers(db, "SELECT peer, mode FROM media_encryption_peers ORDER BY peer");
  while (peers.next_row()) {
    const std::string mode = peers.text(1);
    plan.media_encryption.peers[peers.text(0)] =
        parsed(parse_media_encryption(mode), "media_encryption_peers.mode", mode);
  }
}

std::vector<std::string> load_screening(const sqlite::Database& db, const char* list) {
  Statement rows(db, "SELECT number FROM screening WHERE list = ?1 ORDER BY position");
  rows.bind(1, std::string(list));
  std::vector<std::string> numbers;
  while (rows.next_row()) numbers.push_back(rows.text(0));
  return numbers;
}

}  // namespace

Plan PlanStore::load() const {
  // One read transaction: a save in another process is seen whole or not at all.
  try {
    db_->execute("BEGIN");
    Plan plan;
    plan.trunks = load_trunks(*db_);
    plan.trunk_groups = load_groups(*db_);
    plan.routes = load_routes(*db_);
    plan.screening.blocked_callers = load_screening(*db_, "caller");
    plan.screening.blocked_destinations = load_screening(*db_, "destination");
    plan.registrations = load_registrations(*db_);
    plan.credentials = load_credentials(*db_);
    plan.outbound_proxy = load_setting(*db_, "outbound_proxy");
    load_trust(*db_, plan);
    const std::string untrusted = load_setting(*db_, "untrusted");
    if (!untrusted.empty()) {
      plan.trust.untrusted = parsed(parse_untrusted_action(untrusted), "untrusted", untrusted);
    }
    if (std::string realm = load_setting(*db_, "realm"); !realm.empty()) plan.trust.realm = realm;
    load_media_encryption(*db_, plan);
    db_->execute("COMMIT");
    return plan;
  } catch (const std::exception& error) {
    db_->roll_back();
    fail(path_, "reading the plan: ", error);
  }
}

void PlanStore::save(const Plan& plan) {
  try {
    sqlite::Transaction replace(*db_);
    db_->execute(
        "DELETE FROM trunks; DELETE FROM trunk_groups; DELETE FROM trunk_group_members; "
        "DELETE FROM routes; DELETE FROM route_groups; DELETE FROM screening; "
        "DELETE FROM registrations; DELETE FROM credentials; DELETE FROM trust_peers; "
        "DELETE FROM accounts; DELETE FROM meta WHERE key = 'trust_migrated'; "
        "DELETE FROM media_encryption_peers;");
    save_trunks(*db_, plan);
    save_groups(*db_, plan);
    save_routes(*db_, plan);
    save_screening(*db_, plan);
    save_registrations(*db_, plan);
    save_credentials(*db_, plan);
    save_setting(*db_, "outbound_proxy", plan.outbound_proxy);
    save_trust(*db_, plan);
    save_setting(*db_, "untrusted", std::string(to_string(plan.trust.untrusted)));
    save_setting(*db_, "realm", plan.trust.realm);
    save_media_encryption(*db_, plan);
    db_->execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('plan_saved', '1')");
    replace.commit();
  } catch (const std::exception& error) {
    fail(path_, "saving the plan: ", error);
  }
}

}  // namespace gw::dialplan
