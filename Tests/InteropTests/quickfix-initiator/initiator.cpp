// A small QuickFIX C++ initiator for the CIFT Gateway interop test
// (Tests/IntegrationTests/QuickFIXInteropTests.swift). Two sessions, CLIENT1 and CLIENT2,
// log on to the gateway with QuickFIX's own FIX44 dictionary validation on, trade with
// each other and log out. One line on stdout per event; exit 0 when the scenario is done.
//
// Debian's QuickFIX 1.15.1 headers use dynamic exception specifications (throw(...)),
// which C++17 forbids: build with -std=c++14.
//
// usage: initiator <port> <scenario> <dictionary> <work dir> [tls <CA file> [<certificate> <key>]]
//   With "tls" the sessions connect with QuickFIX's SSLSocketInitiator (OpenSSL), verify
//   the gateway against the CA and, when given, present a client certificate.
//   scenario: "logon" (log on, one resting order, log out), "full" (also cross,
//   replace and cancel), "masscancel" (two resting orders, OrderMassCancelRequest 530=7),
//   "gap" (CLIENT1 skips 5 MsgSeqNums before an order: the gateway's ResendRequest is
//   answered with a GapFill and the resent order, then one more order) or "reconnect"
//   (log on again with the FileStore of an earlier run, no 141, one order, log out), or
//   "hang" (one resting order, then print READY and wait to be killed).
//   "masscancel" also sends 530=1 (by symbol) for AAPL with an MSFT order resting.
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Log.h>
#include <quickfix/Message.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>
#include <quickfix/SSLSocketInitiator.h>

#include <chrono>
#include <memory>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

static std::mutex mtx;
static std::condition_variable cv;
static std::vector<std::string> events;

static void emit(const std::string &line) {
  std::lock_guard<std::mutex> lock(mtx);
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  events.push_back(line);
  cv.notify_all();
}

static std::string field(const FIX::FieldMap &m, int tag) {
  return m.isSetField(tag) ? m.getField(tag) : std::string("-");
}

static bool loggingOut = false;

class App : public FIX::Application {
public:
  void onCreate(const FIX::SessionID &) override {}
  void onLogon(const FIX::SessionID &id) override {
    emit("LOGON " + id.getSenderCompID().getValue());
  }
  void onLogout(const FIX::SessionID &id) override {
    emit("LOGOUT " + id.getSenderCompID().getValue());
  }
  void toAdmin(FIX::Message &message, const FIX::SessionID &id) override {
    const std::string type = message.getHeader().getField(FIX::FIELD::MsgType);
    const std::string who = id.getSenderCompID().getValue();
    if (type == "A") {
      message.setField(553, who);
      message.setField(554, "demo");
      emit("LOGON-SENT " + who + " 34=" + field(message.getHeader(), 34) + " 141=" + field(message, 141));
    } else if (type == "4") {
      emit("SEQRESET-SENT " + who + " 34=" + field(message.getHeader(), 34) + " 123=" + field(message, 123) +
           " 36=" + field(message, 36));
    } else if (type == "3") {
      emit("REJECT-SENT " + who + " 45=" + field(message, 45) + " 371=" + field(message, 371) +
           " 373=" + field(message, 373) + " 58=" + field(message, 58));
    } else if (type == "5") {
      std::lock_guard<std::mutex> lock(mtx);
      if (!loggingOut || message.isSetField(58)) {
        std::printf("LOGOUT-SENT-UNEXPECTED %s 58=%s\n", who.c_str(), field(message, 58).c_str());
        std::fflush(stdout);
        events.push_back("LOGOUT-SENT-UNEXPECTED");
        cv.notify_all();
      }
    }
  }
  void toApp(FIX::Message &, const FIX::SessionID &) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message &message, const FIX::SessionID &id)
      throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override {
    const std::string type = message.getHeader().getField(FIX::FIELD::MsgType);
    const std::string who = id.getSenderCompID().getValue();
    if (type == "3")
      emit("REJECT-RECEIVED " + who + " 45=" + field(message, 45) + " 373=" + field(message, 373) +
           " 58=" + field(message, 58));
    else if (type == "5")
      emit("LOGOUT-RECEIVED " + who + " 58=" + field(message, 58));
    else if (type == "A")
      emit("LOGON-RECEIVED " + who + " 34=" + field(message.getHeader(), 34) + " 141=" + field(message, 141));
    else if (type == "2")
      emit("RESEND-RECEIVED " + who + " 34=" + field(message.getHeader(), 34) + " 7=" + field(message, 7) +
           " 16=" + field(message, 16));
  }
  void fromApp(const FIX::Message &message, const FIX::SessionID &id)
      throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override {
    const std::string type = message.getHeader().getField(FIX::FIELD::MsgType);
    const std::string who = id.getSenderCompID().getValue();
    if (type == "8")
      emit("EXEC " + who + " 150=" + field(message, 150) + " 39=" + field(message, 39) +
           " 11=" + field(message, 11) + " 41=" + field(message, 41) + " 32=" + field(message, 32) +
           " 31=" + field(message, 31) + " 151=" + field(message, 151) + " 14=" + field(message, 14) +
           " 6=" + field(message, 6) + " 58=" + field(message, 58));
    else if (type == "9")
      emit("CANCEL-REJECT " + who + " 11=" + field(message, 11) + " 102=" + field(message, 102) +
           " 58=" + field(message, 58));
    else if (type == "r")
      emit("MASS-CANCEL-REPORT " + who + " 11=" + field(message, 11) + " 530=" + field(message, 530) +
           " 531=" + field(message, 531) + " 533=" + field(message, 533) + " 532=" + field(message, 532) +
           " 37=" + field(message, 37) + " 58=" + field(message, 58));
    else
      emit("APP " + who + " 35=" + type + " 58=" + field(message, 58));
  }
};

static bool waitFor(const std::string &prefix, int seconds = 10) {
  std::unique_lock<std::mutex> lock(mtx);
  bool ok = cv.wait_for(lock, std::chrono::seconds(seconds), [&] {
    for (auto &e : events)
      if (e.rfind(prefix, 0) == 0) return true;
    return false;
  });
  if (!ok) {
    std::printf("TIMEOUT waiting for %s\n", prefix.c_str());
    std::fflush(stdout);
  }
  return ok;
}

static bool waitForCount(const std::string &prefix, size_t n, int seconds = 10) {
  std::unique_lock<std::mutex> lock(mtx);
  bool ok = cv.wait_for(lock, std::chrono::seconds(seconds), [&] {
    size_t c = 0;
    for (auto &e : events)
      if (e.rfind(prefix, 0) == 0) ++c;
    return c >= n;
  });
  if (!ok) {
    std::printf("TIMEOUT waiting for %zu x %s\n", n, prefix.c_str());
    std::fflush(stdout);
  }
  return ok;
}

static FIX::SessionID sid(const std::string &sender) {
  return FIX::SessionID("FIX.4.4", sender, "CIFT");
}

static FIX::Message base(const char *type) {
  FIX::Message m;
  m.getHeader().setField(FIX::FIELD::MsgType, type);
  m.setField(FIX::TransactTime(FIX::UtcTimeStamp()));
  return m;
}

static void send(FIX::Message m, const std::string &sender) {
  FIX::Session::sendToTarget(m, sid(sender));
}

static void order(const std::string &sender, const std::string &clOrdID, const char *side, int qty,
                  const char *px, const char *symbol = "AAPL") {
  FIX::Message m = base("D");
  m.setField(11, clOrdID);
  m.setField(55, symbol);
  m.setField(54, side);
  m.setField(38, std::to_string(qty));
  m.setField(40, "2");
  m.setField(44, px);
  m.setField(59, "0");
  send(m, sender);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s <port> <scenario> <dictionary> <work dir>\n", argv[0]);
    return 64;
  }
  const std::string port = argv[1], scenario = argv[2], dictionary = argv[3], dir = argv[4];
  std::ostringstream cfg;
  cfg << "[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.4\nTargetCompID=CIFT\n"
      << "SocketConnectHost=127.0.0.1\nSocketConnectPort=" << port << "\n"
      << "StartTime=00:00:00\nEndTime=00:00:00\nHeartBtInt=30\nReconnectInterval=1\n"
      << "FileStorePath=" << dir << "/store\nFileLogPath=" << dir << "/log\n"
      << "UseDataDictionary=Y\nDataDictionary=" << dictionary << "\n"
      << "[SESSION]\nSenderCompID=CLIENT1\n[SESSION]\nSenderCompID=CLIENT2\n";
  const bool tls = argc > 6 && std::string(argv[5]) == "tls";
  if (tls) {
    std::string text = cfg.str();
    std::ostringstream ssl;
    ssl << "SSLProtocol=all -SSLv2 -SSLv3 -TLSv1 -TLSv1_1\nCertificationAuthoritiesFile=" << argv[6] << "\n";
    if (argc > 8) ssl << "ClientCertificateFile=" << argv[7] << "\nClientCertificateKeyFile=" << argv[8] << "\n";
    // The [DEFAULT] section takes the SSL settings.
    text.insert(text.find("[SESSION]"), ssl.str());
    cfg.str(text);
  }
  int status = 1;
  try {
    std::istringstream in(cfg.str());
    FIX::SessionSettings settings(in);
    App app;
    FIX::FileStoreFactory store(settings);
    FIX::ScreenLogFactory log(false, false, true);  // events (including rejects) on stdout
    std::unique_ptr<FIX::Initiator> initiatorPointer;
    if (tls)
      initiatorPointer.reset(new FIX::SSLSocketInitiator(app, store, settings, log));
    else
      initiatorPointer.reset(new FIX::SocketInitiator(app, store, settings, log));
    FIX::Initiator &initiator = *initiatorPointer;
    initiator.start();
    bool ok = waitFor("LOGON CLIENT1") && waitFor("LOGON CLIENT2");
    if (ok && scenario == "reconnect") {
      order("CLIENT1", "BUY-R", "1", 100, "149.00");
      ok = waitFor("EXEC CLIENT1 150=0 39=0 11=BUY-R ");
    } else if (ok) {
      order("CLIENT1", "BUY-1", "1", 300, "150.25");
      ok = waitFor("EXEC CLIENT1 150=0 39=0 11=BUY-1 ");
    }
    if (ok && scenario == "masscancel") {
      order("CLIENT1", "BUY-2", "1", 200, "150.10");
      ok = waitFor("EXEC CLIENT1 150=0 39=0 11=BUY-2 ");
      if (ok) {
        FIX::Message q = base("q");
        q.setField(11, "MC-1");
        q.setField(530, "7");
        send(q, "CLIENT1");
        ok = waitFor("MASS-CANCEL-REPORT CLIENT1") && waitForCount("EXEC CLIENT1 150=4 39=4", 2);
      }
      // 530=1: by symbol. An AAPL and an MSFT order rest; only AAPL's is canceled.
      if (ok) {
        order("CLIENT1", "BUY-3", "1", 100, "150.00");
        order("CLIENT1", "BUY-4", "1", 100, "400.00", "MSFT");
        ok = waitFor("EXEC CLIENT1 150=0 39=0 11=BUY-3 ") && waitFor("EXEC CLIENT1 150=0 39=0 11=BUY-4 ");
      }
      if (ok) {
        FIX::Message q = base("q");
        q.setField(11, "MC-2");
        q.setField(530, "1");
        q.setField(55, "AAPL");
        send(q, "CLIENT1");
        ok = waitForCount("MASS-CANCEL-REPORT CLIENT1", 2) && waitFor("EXEC CLIENT1 150=4 39=4 11=BUY-3 ");
      }
    }
    if (ok && scenario == "hang") {
      // The test SIGKILLs this process now: no Logout, the FileStore as the kill leaves it.
      emit("READY");
      std::this_thread::sleep_for(std::chrono::seconds(60));
      ok = false;
    }
    if (ok && scenario == "gap") {
      FIX::Session *s = FIX::Session::lookupSession(sid("CLIENT1"));
      const int next = s->getExpectedSenderNum();
      s->setNextSenderMsgSeqNum(next + 5);
      emit("SKIPPED CLIENT1 " + std::to_string(next) + ".." + std::to_string(next + 4));
      order("CLIENT1", "BUY-2", "1", 200, "150.10");
      ok = waitFor("RESEND-RECEIVED CLIENT1") && waitFor("EXEC CLIENT1 150=0 39=0 11=BUY-2 ");
      if (ok) {
        order("CLIENT1", "BUY-3", "1", 100, "150.05");
        ok = waitFor("EXEC CLIENT1 150=0 39=0 11=BUY-3 ");
      }
    }
    if (ok && scenario == "full") {
      order("CLIENT2", "SELL-1", "2", 100, "150.25");
      ok = waitFor("EXEC CLIENT1 150=F 39=1 11=BUY-1") && waitFor("EXEC CLIENT2 150=F 39=2 11=SELL-1");
      if (ok) {
        FIX::Message g = base("G");
        g.setField(41, "BUY-1");
        g.setField(11, "RPL-1");
        g.setField(55, "AAPL");
        g.setField(54, "1");
        g.setField(38, "300");
        g.setField(40, "2");
        g.setField(44, "150.20");
        send(g, "CLIENT1");
        ok = waitFor("EXEC CLIENT1 150=5");
      }
      if (ok) {
        FIX::Message f = base("F");
        f.setField(41, "RPL-1");
        f.setField(11, "CXL-1");
        f.setField(55, "AAPL");
        f.setField(54, "1");
        f.setField(38, "300");
        send(f, "CLIENT1");
        ok = waitFor("EXEC CLIENT1 150=4 39=4 11=CXL-1");
      }
    }
    {
      std::lock_guard<std::mutex> lock(mtx);
      loggingOut = true;
    }
    for (const char *who : {"CLIENT1", "CLIENT2"})
      if (FIX::Session *s = FIX::Session::lookupSession(sid(who))) s->logout();
    bool out = waitFor("LOGOUT CLIENT1") && waitFor("LOGOUT CLIENT2");
    initiator.stop();
    if (ok && out) {
      emit("DONE");
      status = 0;
    }
  } catch (std::exception &e) {
    std::printf("ERROR %s\n", e.what());
    status = 2;
  }
  std::fflush(stdout);
  return status;
}
