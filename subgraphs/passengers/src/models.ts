import mongoose from 'mongoose';

export interface PassengerRecord {
  code: string;
  firstName: string;
  lastName: string;
  email: string;
  mobileNumber: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const passengerSchema = new mongoose.Schema<PassengerRecord>(
  {
    code: { type: String, required: true, unique: true },
    firstName: { type: String, required: true },
    lastName: { type: String, required: true },
    email: { type: String, required: true, unique: true },
    mobileNumber: { type: String, default: null },
  },
  { timestamps: true, versionKey: false },
);

export function passengerModels(conn: mongoose.Connection) {
  return { Passengers: conn.model<PassengerRecord>('Passenger', passengerSchema, 'passengers') };
}

export type PassengerModels = ReturnType<typeof passengerModels>;
