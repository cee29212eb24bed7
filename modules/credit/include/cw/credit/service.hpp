#pragma once
// Use cases of credit: records (from the outbox of the other modules, entered by departments, imported from the
// court's judgment-defaulter list) with their publication windows; scores and grades by the versioned scorecard
// (recomputed in the same transaction as every change, history kept); the blacklist procedure (proposal with
// notice -> objection window -> decision by a second officer -> listed -> removal / automatic end), the watch
// list and the red list; memoranda; the feedback loop (one task per implementing department and listing);
// credit repair; the bureau's query with every view logged; reports; the check API and the graph.
//
// Every change of one entity runs in one transaction on its locked credit_entities row, writes its audit record
// and, when lists or memoranda change, a credit_changes row that every process's graph follows (followChanges()).
//
// Who sees what: officers, the bureau and administrators see every entity; inspectors see lists and checks; an
// institution user sees its own entity. Anyone else gets NotFound.
//
// Thread-safety: CreditService may be shared; its graph and view-log queue are internally synchronised.

#include <algorithm>
#include <array>
#include <chrono>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cw/audit/audit_log.hpp"
#include "cw/core/clock.hpp"
#include "cw/core/random.hpp"
#include "cw/core/result.hpp"
#include "cw/core/workdays.hpp"
#include "cw/credit/graph.hpp"
#include "cw/credit/model.hpp"
#include "cw/credit/scorecard.hpp"
#include "cw/db/pool.hpp"
#include "cw/draws/service.hpp"
#include "cw/http/request.hpp"

namespace cw::credit {

struct CreditConfig {
  int objectionWorkingDays = 10;   // notice -> decision (异议期)
  int blacklistYears = 3;          // automatic end of a blacklist entry
  int blacklistRemovalYears = 2;   // removal on application after this many years without a new serious violation
  int watchlistMonths = 12;
  int redlistMonths = 12;
  int feedbackWorkingDays = 20;    // implementing departments owe feedback within this
  int eventSettleSeconds = 10;     // outbox events are read once older than this (see db/outbox.hpp)
  std::string defaultDrawTier = "B";  // an institution without a score
};

struct Record {
  std::int64_t id = 0;
  std::string entityCode;
  std::string entityName;
  std::string departmentCode;
  std::string departmentName;
  std::string kind;
  std::string kindName;
  bool positive = false;
  std::string severity;
  bool severePenalty = false;
  std::string title;
  std::string legalBasis;
  std::optional<std::string> documentNo;
  std::string facts;
  std::string decidedOn;
  std::string minUntil;
  std::string publishUntil;
  std::string state;  // active | expired | repaired | revoked
  std::optional<std::string> endedOn;
  std::optional<std::string> endReason;
  std::string source;  // event | department | import
  std::string sourceRef;
  std::string createdAt;
  bool inWindow = false;
  bool repairable = false;  // a repair application would be accepted today
  std::optional<std::string> repairableFrom;
};

struct RecordInput {
  std::string entityCode;
  std::optional<std::string> entityName;  // required when the code is not yet known (a company, a court list)
  std::string kind;
  std::string severity;
  std::string title;
  std::string legalBasis;
  std::string documentNo;
  std::string facts;
  std::string decidedOn;  // YYYY-MM-DD
  std::optional<int> publishMonths;
  bool severePenalty = false;
};

struct RecordFilter {
  std::optional<std::string> entity;
  std::optional<std::string> department;
  std::optional<std::string> kind;
  std::optional<std::string> state;
  bool inWindowOnly = false;
  std::int64_t offset = 0;
  std::int64_t limit = 20;
};

struct TaskSummary {
  int total = 0;
  int done = 0;
  int overdue = 0;
};

struct ListEntry {
  std::int64_t id = 0;
  std::string listKind;
  std::string listName;
  std::string departmentCode;
  std::string departmentName;
  std::string entityCode;
  std::string entityName;
  std::optional<std::int64_t> institutionId;
  std::string ground;
  std::string groundName;
  std::string basis;
  std::string facts;
  std::optional<std::int64_t> recordId;
  std::string state;  // proposed | listed | dismissed | removed | expired
  std::optional<std::string> noticeNo;
  std::optional<std::string> noticedAt;
  std::optional<std::string> objectionUntil;
  bool objectionOpen = false;
  std::optional<std::string> objection;
  std::optional<std::string> objectionAt;
  std::optional<std::string> decision;
  std::optional<std::string> decisionReason;
  std::optional<std::string> decidedAt;
  std::optional<std::string> listedOn;
  std::optional<std::string> removableFrom;
  std::optional<std::string> endsOn;
  std::optional<std::string> removedAt;
  std::optional<std::string> removalReason;
  std::optional<std::string> removalNote;
  std::string source;
  std::string createdAt;
  std::optional<std::int64_t> proposedBy;  // user id; null for entries made by rule (court list, serious record)
  TaskSummary apply;
  TaskSummary lift;
  /// Why the decision cannot be taken now (objection window open ...), empty when it can.
  std::string decideBlockedBy;
};

struct EntryFilter {
  std::string listKind;
  std::optional<std::string> state;
  std::optional<std::string> department;
  std::optional<std::string> entity;
  std::optional<std::string> q;  // name or code contains
  std::int64_t offset = 0;
  std::int64_t limit = 20;
};

struct ProposalInput {
  std::string entityCode;
  std::string ground;  // blacklist ground; for the watch and red lists a short reason code
  std::string basis;
  std::string facts;
  std::optional<std::int64_t> recordId;
};

struct Task {
  std::int64_t id = 0;
  std::int64_t entryId = 0;
  std::string listKind;
  std::string entityCode;
  std::string entityName;
  std::string initiatorDepartment;
  std::string departmentCode;
  std::string departmentName;
  std::string kind;  // apply | lift
  std::vector<MeasureSpec> measures;
  std::string state;  // pending | accepted | not_applicable | done
  std::string dueOn;
  bool overdue = false;
  std::optional<std::string> responseReason;
  std::optional<std::string> respondedAt;
  std::optional<std::string> feedback;
  std::optional<std::string> fedBackAt;
  std::string createdAt;
};

struct TaskFilter {
  std::optional<std::string> department;
  std::optional<std::int64_t> entry;
  std::optional<std::string> state;
  bool overdueOnly = false;
  std::int64_t offset = 0;
  std::int64_t limit = 50;
};

struct Memorandum {
  MemorandumSpec spec;
  std::string signedOn;
  bool active = true;
  std::string createdAt;
};

struct Repair {
  std::int64_t id = 0;
  std::string entityCode;
  std::string entityName;
  std::int64_t recordId = 0;
  std::string recordTitle;
  std::string recordDepartment;
  std::optional<std::int64_t> listEntryId;
  std::string rectification;
  std::string pledge;
  std::optional<std::string> evidence;
  std::string state;  // submitted | approved | rejected
  std::string appliedAt;
  std::optional<std::string> decidedAt;
  std::optional<std::string> decisionReason;
};

struct RepairInput {
  std::int64_t recordId = 0;
  std::string rectification;
  std::string pledge;
  std::string evidence;
};

struct GradeChange {
  std::string grade;
  std::optional<std::string> previousGrade;
  int score = 0;
  std::string reason;
  std::string changedAt;
};

/// Activity elsewhere in carewatch, as the bureau sees it beside the credit.
struct Activity {
  std::string kind;  // inspection | hazard | rating
  std::int64_t id = 0;
  std::string date;
  std::string title;
  std::string state;
};

struct EntityView {
  std::string code;
  std::string name;
  std::string kind;  // institution | company
  std::optional<std::int64_t> institutionId;
  std::optional<std::string> regionCode;
  std::optional<std::string> sector;
  Score score;
  std::vector<Record> records;  // in their windows
  std::vector<ListEntry> lists;  // open entries
  std::vector<DerivedMeasure> measures;
  std::vector<CreditGraph::Related> related;
  std::vector<GradeChange> history;
  std::vector<Activity> activity;
};

struct EntityHit {
  std::string code;
  std::string name;
  std::string kind;
  std::optional<std::string> grade;
  std::optional<int> score;
  std::vector<std::string> lists;
};

struct CheckAnswer {
  std::string subject;  // as asked (a person's ID number is never echoed: its masked form)
  bool known = false;
  std::optional<std::string> name;
  std::string action;   // "" = every action
  std::string decision;  // allowed | restricted | rewarded
  std::vector<DerivedMeasure> measures;
};

/// A check answer with its JSON text: rendered once, then shared by every caller who asks the same question of the
/// same graph version (the check sits in other systems' request paths).
struct RenderedCheck {
  CheckAnswer answer;
  std::string json;
};

struct PublicEntry {
  std::int64_t id = 0;
  std::string listKind;
  std::string entityName;  // masked where personal
  std::string entityCode;
  std::string departmentName;
  std::string groundName;
  std::string basis;
  std::string listedOn;
  std::optional<std::string> endsOn;
};

struct ReportInfo {
  std::string number;
  std::string entityCode;
  std::string entityName;
  std::string grade;
  int score = 0;
  std::string sha256;
  std::int64_t sizeBytes = 0;
  std::string generatedAt;
};

struct GeneratedReport {
  ReportInfo info;
  std::string pdf;
};

struct FollowReport {
  int events = 0;
  int records = 0;
  int proposals = 0;
};

struct DailyReport {
  int recordsExpired = 0;
  int entriesEnded = 0;
  int rescored = 0;
  int relationsChanged = 0;  // institutions whose related parties changed with the day
};

class CreditService {
 public:
  /// `personIndex` turns a resident ID number into the registry's blind index (null: person checks unavailable).
  CreditService(db::Pool& pool, audit::AuditLog& audit, const core::Clock& clock, core::RandomSource& random,
                const core::WorkCalendar& calendar, CreditConfig config,
                std::function<std::optional<std::string>(const std::string&)> personIndex);
  ~CreditService();

  /// Installs the scorecard version (FailedPrecondition if a used version's text changed) and makes it active.
  core::Status installScorecard(const std::string& text);
  /// The active scorecard (null before installScorecard()).
  std::shared_ptr<const Scorecard> scorecard() const;

  // Records
  core::Result<Record> addRecord(const audit::Actor& actor, const http::Principal& who, const RecordInput& in);
  /// Court judgment-defaulter list (CSV: code,name,document_no,court,decided_on,facts): records + blacklist entries
  /// by rule. All rows or none; InvalidArgument naming the line.
  core::Result<int> importCourtList(const audit::Actor& actor, const http::Principal& who, const std::string& csv);
  core::Result<std::pair<std::vector<Record>, std::int64_t>> records(const http::Principal& who,
                                                                    const RecordFilter& filter);

  // Lists
  core::Result<ListEntry> propose(const audit::Actor& actor, const http::Principal& who, const std::string& listKind,
                                  const ProposalInput& in);
  // Entry actions name the list the entry is on (the path's {list}); an entry of another list is NotFound.
  core::Result<ListEntry> object(const audit::Actor& actor, const http::Principal& who, const std::string& listKind,
                                 std::int64_t entryId, const std::string& text);
  /// decision: list | dismiss.
  core::Result<ListEntry> decide(const audit::Actor& actor, const http::Principal& who, const std::string& listKind,
                                 std::int64_t entryId, const std::string& decision, const std::string& reason);
  /// reason: two_years_clean | obligations_met.
  core::Result<ListEntry> remove(const audit::Actor& actor, const http::Principal& who, const std::string& listKind,
                                 std::int64_t entryId, const std::string& reason, const std::string& note);
  core::Result<std::pair<std::vector<ListEntry>, std::int64_t>> entries(const http::Principal& who,
                                                                       const EntryFilter& filter);
  core::Result<ListEntry> entry(const http::Principal& who, std::int64_t id);

  // Memoranda and feedback
  std::vector<Memorandum> memoranda();
  core::Result<Memorandum> addMemorandum(const audit::Actor& actor, const http::Principal& who, Memorandum in);
  core::Result<std::pair<std::vector<Task>, std::int64_t>> tasks(const http::Principal& who, const TaskFilter& filter);
  /// action: accept | not_applicable | feedback.
  core::Result<Task> respond(const audit::Actor& actor, const http::Principal& who, std::int64_t taskId,
                             const std::string& action, const std::string& text);

  // Repair
  core::Result<Repair> applyRepair(const audit::Actor& actor, const http::Principal& who, const RepairInput& in);
  core::Result<Repair> decideRepair(const audit::Actor& actor, const http::Principal& who, std::int64_t id,
                                    const std::string& decision, const std::string& reason);
  core::Result<std::vector<Repair>> repairs(const http::Principal& who, std::optional<std::string> state);

  // Query
  core::Result<std::vector<EntityHit>> search(const http::Principal& who, const std::string& q);
  core::Result<EntityView> entity(const http::Principal& who, const std::string& code, const std::string& view);
  /// 信用核查: the measures applying to the subject (credit code or resident ID number), filtered by action ("" =
  /// all), with the decision. Every call is logged as a view (batched); the answer is cached per graph version.
  core::Result<std::shared_ptr<const RenderedCheck>> check(const http::Principal& who, const std::string& subject,
                                                           const std::string& action);
  core::Result<Neighbourhood> graph(const http::Principal& who, const std::string& subject, int depth);
  core::Result<GeneratedReport> report(const audit::Actor& actor, const http::Principal& who, const std::string& code);
  core::Result<ReportInfo> publicReport(const std::string& number);
  std::pair<std::vector<PublicEntry>, std::int64_t> publicList(const std::string& listKind, std::int64_t offset,
                                                              std::int64_t limit);

  // Background work
  /// Reads the outbox (hazards, ratings, inspections) once per event into records and proposals.
  /// `settleSeconds` overrides the configured settling time (seed-demo, alone on its database, passes -1: every
  /// event written up to now, including this very instant).
  FollowReport followEvents(std::optional<int> settleSeconds = std::nullopt);
  /// followEvents() batch after batch (kEventBatch events each, one transaction each) until the outbox is read to
  /// the end or `budget` has passed, so that a burst of events is not read at one batch per job run.
  FollowReport drainEvents(std::chrono::milliseconds budget, std::optional<int> settleSeconds = std::nullopt);
  static constexpr int kEventBatch = 200;
  /// Applies other processes' changes (credit_changes) to this process's graph; flushes the check-view log.
  int followChanges();
  /// Ends records and list entries whose time is up, rescoring their entities.
  DailyReport daily();
  /// Builds the graph from the database (at start; a restart builds the same graph).
  void rebuildGraph();
  /// Whether the graph has been built; until then check() answers Unavailable rather than a wrong "allowed".
  bool graphReady() const { return graphReady_.load(); }
  const CreditGraph& graphCache() const { return graph_; }

  /// The grades the draws use (credit_scores.draw_tier).
  draws::GradeProvider& gradeProvider();

 private:
  struct Tx {
    db::Connection& c;
    ListEntry e;
    std::string now;
    core::Day today;
  };
  class Grades;
  core::Result<ListEntry> withEntry(const std::string& listKind, std::int64_t id,
                                    const std::function<core::Status(Tx&)>& change);
  core::Result<std::int64_t> insertRecord(db::Connection& c, const std::string& entity, const std::string& department,
                                          const RecordInput& in, const std::string& source,
                                          const std::string& sourceRef, std::optional<std::int64_t> by,
                                          const std::string& now);
  void rescore(db::Connection& c, const std::string& code, const std::string& reason, const std::string& now);
  void createTasks(db::Connection& c, std::int64_t entryId, const std::string& listKind, const std::string& department,
                   const std::string& kind, const std::string& now);
  void listEntry(db::Connection& c, const ListEntry& e, const std::string& now);
  void closeEntry(db::Connection& c, const ListEntry& e, const std::string& state, const std::string& reason,
                  const std::string& note, std::optional<std::int64_t> by, const std::string& now);
  /// A blacklist notice (告知) served today: its number and the last day of the objection window.
  struct Notice {
    std::string number;
    std::string objectionUntil;
  };
  Notice serveNotice(const std::string& department, core::Day today);
  std::string redListBlocker(db::Connection& c, const std::string& code, core::Day today);
  std::optional<Repair> loadRepair(db::Connection& c, std::int64_t id);
  void refreshEntity(db::Connection& c, const std::string& code);
  void refreshRelations(db::Connection& c, std::int64_t institutionId);
  void refreshMemorandum(db::Connection& c, std::int64_t id);
  bool visibleTo(const http::Principal& who, const std::optional<std::int64_t>& institutionId) const;
  void logView(db::Connection& c, const http::Principal& who, const std::string& subject, const std::string& view,
               const std::string& detail);
  void queueView(const http::Principal& who, const std::string& subject, const std::string& view,
                 const std::string& detail);
  void flushViews();
  core::Result<CheckAnswer> answerCheck(const std::string& subject, const std::string& action);

  db::Pool& pool_;
  audit::AuditLog& audit_;
  const core::Clock& clock_;
  core::RandomSource& random_;
  const core::WorkCalendar& calendar_;
  CreditConfig config_;
  std::function<std::optional<std::string>(const std::string&)> personIndex_;
  mutable std::mutex cardMutex_;
  std::shared_ptr<const Scorecard> card_;
  CreditGraph graph_;
  std::atomic<bool> graphReady_{false};
  std::unique_ptr<Grades> grades_;
  // change-log follower state
  std::mutex followMutex_;
  std::int64_t changesLow_ = 0;
  std::set<std::int64_t> changesSeen_;
  std::map<std::int64_t, std::chrono::steady_clock::time_point> changesGaps_;
  // check views waiting to be written, by "user\x1fsubject\x1fview\x1fdetail" (see queueView)
  struct PendingView {
    std::vector<std::string> fields;  // user id, username, role, department, subject, view, detail, first time
    std::int64_t hits = 0;
    /// Counts another gathering of the same view: the calls added, the earlier first time kept.
    void add(const PendingView& other) {
      hits += other.hits;
      fields[7] = std::min(fields[7], other.fields[7]);
    }
  };
  using PendingViews = std::unordered_map<std::string, PendingView>;
  static void gather(PendingViews& into, const std::string& key, PendingView view);
  struct ViewShard {
    std::mutex mutex;
    PendingViews views;
  };
  std::array<ViewShard, 16> viewShards_;
  // check answers by "subject\naction", each with the graph version it was derived at; emptied when full
  std::shared_mutex checkCacheMutex_;
  std::unordered_map<std::string, std::pair<std::uint64_t, std::shared_ptr<const RenderedCheck>>> checkCache_;
};

}  // namespace cw::credit
