#include "cw/db/outbox.hpp"

namespace cw::db {

void emitEvent(Connection& c, const OutboxEvent& e, const std::string& at) {
  c.execute("INSERT INTO domain_events (topic, aggregate_type, aggregate_id, institution_id, dedup_key, payload,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id",
            e.topic, e.aggregateType, e.aggregateId, e.institutionId, e.dedupKey, e.payload, at);
}

std::int64_t lockCursor(Connection& c, const std::string& consumer) {
  c.execute("INSERT INTO event_consumers (consumer, last_event_id, updated_at) VALUES (?, 0, UTC_TIMESTAMP(6))"
            " ON DUPLICATE KEY UPDATE consumer = consumer",
            consumer);
  return c.query("SELECT last_event_id FROM event_consumers WHERE consumer = ? FOR UPDATE", consumer)[0].i64(
      "last_event_id");
}

void advanceCursor(Connection& c, const std::string& consumer, std::int64_t lastEventId, const std::string& at) {
  c.execute("UPDATE event_consumers SET last_event_id = ?, updated_at = ? WHERE consumer = ?", lastEventId, at, consumer);
}

std::vector<OutboxEvent> readEvents(Connection& c, std::int64_t afterId, const std::vector<std::string>& topics,
                                    const std::string& settledBefore, int limit) {
  std::vector<OutboxEvent> out;
  if (topics.empty()) return out;
  std::string in;
  for (std::size_t i = 0; i < topics.size(); ++i) in += i ? ", ?" : "?";
  auto rows = c.queryWith("SELECT id, topic, aggregate_type, aggregate_id, institution_id, dedup_key, payload,"
                          " created_at FROM domain_events WHERE id > ? AND created_at < ? AND topic IN (" + in +
                              ") ORDER BY id LIMIT " + std::to_string(limit),
                          [&](Binder& b) {
                            unsigned i = 1;
                            b.bind(i++, afterId);
                            b.bind(i++, settledBefore);
                            for (const auto& t : topics) b.bind(i++, t);
                          });
  for (const auto& r : rows) {
    out.push_back({r.i64("id"), r.str("topic"), r.str("aggregate_type"), r.i64("aggregate_id"), r.optI64("institution_id"),
                   r.str("dedup_key"), r.str("payload"), r.str("created_at")});
  }
  return out;
}

}  // namespace cw::db
