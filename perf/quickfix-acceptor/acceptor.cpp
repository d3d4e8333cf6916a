// The QuickFIX C++ acceptor that `cift-perf fix --compare` measures beside the CIFT
// Gateway (perf/README.md, "FIX order entry round trip"). Built on Debian's
// libquickfix 1.15.1 with perf/quickfix-acceptor/build.sh.
//
// A normal QuickFIX acceptor with the same CompIDs as the gateway (TargetCompID CIFT,
// SenderCompID CLIENT1..CLIENT4): session-level validation with QuickFIX's own FIX 4.4
// dictionary (FIX44.xml beside this file, from the QuickFIX 1.15.1 release, because
// Debian's package does not ship the spec files), MemoryStoreFactory (no
// persistence), no log at all (the acceptor is built without a LogFactory: nothing
// per message, on screen or on disk). Each NewOrderSingle is answered with one ExecutionReport(New), 150=0 39=0,
// built from the order's fields, in the application callback (QuickFIX's own thread
// per connection, ThreadedSocketAcceptor).
//
// Debian's QuickFIX 1.15.1 headers use dynamic exception specifications (throw(...)),
// which C++17 forbids: build with -std=c++14.
//
// usage: quickfix-acceptor <settings file> <port> <dictionary>
// Prints "ready <port>" on stdout once it listens, then runs until SIGTERM or SIGINT.
#include <quickfix/Application.h>
#include <quickfix/MessageStore.h>
#include <quickfix/MessageCracker.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/ThreadedSocketAcceptor.h>
#include <quickfix/fix44/ExecutionReport.h>
#include <quickfix/fix44/NewOrderSingle.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <unistd.h>

static std::atomic<bool> stopping(false);

static void onSignal(int) { stopping = true; }

class App : public FIX::Application, public FIX::MessageCracker {
public:
  void onCreate(const FIX::SessionID &) override {}
  void onLogon(const FIX::SessionID &) override {}
  void onLogout(const FIX::SessionID &) override {}
  void toAdmin(FIX::Message &, const FIX::SessionID &) override {}
  void toApp(FIX::Message &, const FIX::SessionID &) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message &, const FIX::SessionID &)
      throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message &message, const FIX::SessionID &id)
      throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override {
    crack(message, id);
  }

  void onMessage(const FIX44::NewOrderSingle &order, const FIX::SessionID &id) override {
    FIX::ClOrdID clOrdID;
    FIX::Symbol symbol;
    FIX::Side side;
    FIX::OrderQty quantity;
    FIX::OrdType ordType;
    order.get(clOrdID);
    order.get(symbol);
    order.get(side);
    order.get(quantity);
    order.get(ordType);

    const unsigned long long n = ++orders;
    FIX44::ExecutionReport report(
        FIX::OrderID(std::to_string(n)), FIX::ExecID("E" + std::to_string(n)), FIX::ExecType(FIX::ExecType_NEW),
        FIX::OrdStatus(FIX::OrdStatus_NEW), side, FIX::LeavesQty(quantity.getValue()), FIX::CumQty(0), FIX::AvgPx(0));
    report.set(clOrdID);
    report.set(symbol);
    report.set(quantity);
    report.set(ordType);
    if (order.isSetField(FIX::FIELD::Price)) {
      FIX::Price price;
      order.get(price);
      report.set(price);
    }
    if (order.isSetField(FIX::FIELD::TimeInForce)) {
      FIX::TimeInForce tif;
      order.get(tif);
      report.set(tif);
    }
    report.set(FIX::TransactTime());
    try {
      FIX::Session::sendToTarget(report, id);
    } catch (const FIX::SessionNotFound &) {
    }
  }

private:
  std::atomic<unsigned long long> orders{0};
};

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <settings file> <port> <dictionary>\n", argv[0]);
    return 2;
  }
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    // The settings file holds everything but the port and the dictionary path,
    // which the harness chooses per run.
    FIX::SessionSettings settings(argv[1]);
    FIX::Dictionary defaults = settings.get();
    defaults.setString("SocketAcceptPort", argv[2]);
    defaults.setString("DataDictionary", argv[3]);
    settings.set(defaults);
    for (const char *client : {"CLIENT1", "CLIENT2", "CLIENT3", "CLIENT4"}) {
      FIX::SessionID id("FIX.4.4", "CIFT", client);
      FIX::Dictionary session;
      settings.set(id, session);
    }
    App app;
    FIX::MemoryStoreFactory store;
    // No LogFactory: the acceptor is built without a log.
    FIX::ThreadedSocketAcceptor acceptor(app, store, settings);
    acceptor.start();
    std::printf("ready %s\n", argv[2]);
    std::fflush(stdout);
    while (!stopping) usleep(50 * 1000);
    acceptor.stop(true);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "quickfix-acceptor: %s\n", e.what());
    return 1;
  }
  return 0;
}
