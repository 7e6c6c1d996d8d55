#include "gateway/sip/stack.hpp"

#include "gateway/sip/sofia_thread.hpp"

namespace gw::sip {

Stack::Stack(const StackConfig& config)
    : sofia_(std::make_unique<SofiaThread>(config, accepting_)) {}

Stack::~Stack() = default;

}  // namespace gw::sip
