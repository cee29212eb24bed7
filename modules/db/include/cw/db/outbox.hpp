#pragma once
// The domain event outbox (table domain_events): a module writes an event in the same transaction as the change
// it reports; consumers (ratings, credit) read it later with a cursor of their own (table event_consumers), so an
// event is neither lost when a process dies nor handled twice.
//
// Ordering: ids come from AUTO_INCREMENT, and a transaction holding a lower id may commit after a higher one is
// visible. Consumers therefore read only events written more than kOutboxSettleSeconds ago; the transactions that
// write events are short (milliseconds), so none can still be open by then.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cw/db/pool.hpp"

namespace cw::db {

inline constexpr int kOutboxSettleSeconds = 10;

struct OutboxEvent {
  std::int64_t id = 0;  // set when read
  std::string topic;    // "hazard.overdue", "rating.published" ...
  std::string aggregateType;
  std::int64_t aggregateId = 0;
  std::optional<std::int64_t> institutionId;
  std::string dedupKey;  // writing the same key again changes nothing
  std::string payload;   // JSON object text
  std::string createdAt;  // SQL DATETIME, UTC
};

/// Writes the event once (by dedup key), on the caller's connection and transaction.
void emitEvent(Connection& c, const OutboxEvent& event, const std::string& at);

/// Locks the consumer's cursor row for this transaction (creating it at 0) and returns the last id it handled;
/// a second process running the same consumer waits here, so each event is handled by one of them.
std::int64_t lockCursor(Connection& c, const std::string& consumer);
void advanceCursor(Connection& c, const std::string& consumer, std::int64_t lastEventId, const std::string& at);
/// Events after `afterId` of the given topics written before `settledBefore` (SQL DATETIME), oldest first.
std::vector<OutboxEvent> readEvents(Connection& c, std::int64_t afterId, const std::vector<std::string>& topics,
                                    const std::string& settledBefore, int limit);

}  // namespace cw::db
