import GatewayCore
import SoupBinTCP

/// OUCH fields are read and written with GatewayCore's ``BigEndianWire``, and its
/// alpha and decimal-ASCII conventions are SoupBinTCP's (`NasdaqTextFields.swift`).
@usableFromInline
typealias Wire = BigEndianWire
